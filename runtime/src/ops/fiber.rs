//! Ops of `uringy:fiber`: spawning, joining, cancelling and the calls that wait.
//!
//! Calls that wait return a status instead of throwing, and lib/fiber.ts throws the matching
//! class (`Cancelled`, `TimeoutError`): native code never builds JS error classes.

use crate::ops::errors;
use std::time::Duration;

use rquickjs::{convert::List, function::Opt, qjs, Ctx, Function, Object, Persistent, Result, Value};

use super::{
    raw::{arg, context},
    Ops,
};
use crate::{
    engine::host::{host, restore},
    scheduler::{
        flush_effects, park, rejection_below, sleep, stack_error,
        task::{Handle, Resume, TaskId, Wait},
        wait_promise, Waited,
    },
};

/// A wait ended normally.
const DONE: u8 = 0;
/// A wait ended because the fiber was cancelled.
const CANCELLED: u8 = 1;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fiber_register", op_fiber_register)?;
    ops.add_raw(c"op_fiber_spawn", 3, op_fiber_spawn)?;
    ops.add("op_fiber_current", op_fiber_current)?;
    ops.add("op_fiber_handle", op_fiber_handle)?;
    ops.add_raw(c"op_fiber_join", 1, op_fiber_join)?;
    ops.add("op_fiber_cancel", op_fiber_cancel)?;
    ops.add("op_fiber_is_cancelled", op_fiber_is_cancelled)?;
    ops.add("op_fiber_yield", op_fiber_yield)?;
    ops.add_raw(c"op_fiber_sleep", 1, op_fiber_sleep)?;
    ops.add("op_fiber_checkpoint", op_fiber_checkpoint)?;
    ops.add("op_fiber_wait", op_fiber_wait)?;
    ops.add("op_fiber_park_token", op_fiber_park_token)?;
    ops.add("op_fiber_park", op_fiber_park)?;
    ops.add("op_fiber_unpark", op_fiber_unpark)?;
    ops.add("op_fiber_scope_enter", op_fiber_scope_enter)?;
    ops.add("op_fiber_scope_exit", op_fiber_scope_exit)?;
    ops.add("op_fiber_shield", op_fiber_shield)
}

fn task(ctx: &Ctx<'_>, id: f64) -> Result<TaskId> {
    TaskId::from_f64(id).ok_or_else(|| errors::type_error(ctx, "not a fiber id"))
}

fn code(waited: Waited) -> u8 {
    match waited {
        Waited::Cancelled => CANCELLED,
        _ => DONE,
    }
}

/// lib/fiber.ts hands over `Cancelled`, to recognise a fiber's own cancellation (rule 6), and
/// the mark that waits return when they were cancelled.
fn op_fiber_register<'js>(ctx: Ctx<'js>, cancelled: Function<'js>, mark: Value<'js>) {
    let mut s = host(&ctx).scheduler.borrow_mut();
    s.hooks.cancelled = Some(Persistent::save(&ctx, cancelled));
    s.hooks.cancel_mark = Some(Persistent::save(&ctx, mark));
}

/// The value a cancelled wait returns.
pub fn cancel_mark<'js>(ctx: &Ctx<'js>) -> Value<'js> {
    let mark = host(ctx).scheduler.borrow().hooks.cancel_mark.clone();
    mark.and_then(|m| m.restore(ctx).ok()).unwrap_or_else(|| Value::new_undefined(ctx.clone()))
}

/// Starts `function` on a new fiber, a child of the caller's innermost scope. `record` is the
/// `Fiber`'s record: its task id is written to `record[0]` now, and its outcome when it is done.
/// A raw op: spawn is hot, and rquickjs's argument glue costs more than the work.
unsafe extern "C" fn op_fiber_spawn(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: a live context for the duration of this call; the engine passes `argc` arguments,
    // and each is duplicated before a `Value` takes ownership of it.
    let ctx = unsafe { context(raw) };
    let arg = |i: usize| unsafe { Value::from_raw(ctx.clone(), qjs::JS_DupValue(raw, arg(argc, argv, i))) };
    let (Some(function), Some(record), Some(fiber)) =
        (arg(0).into_function(), arg(1).into_object(), arg(2).into_object())
    else {
        let _ = errors::type_error(&ctx, "op_fiber_spawn(function, record, fiber)");
        return qjs::JS_EXCEPTION;
    };
    let handle = Handle { record: Persistent::save(&ctx, record.clone()), fiber: Persistent::save(&ctx, fiber) };
    let spawned = host(&ctx).scheduler.borrow_mut().spawn(Persistent::save(&ctx, function), Some(handle));
    let id = match spawned {
        Ok(id) => id,
        Err(e) => {
            let error = stack_error(&ctx, e);
            ctx.throw(error);
            return qjs::JS_EXCEPTION;
        }
    };
    // SAFETY: a live array of this context; a number needs no reference counting.
    match unsafe { qjs::JS_SetPropertyUint32(raw, record.as_raw(), 0, qjs::JS_NewFloat64(id.to_f64())) } {
        set if set < 0 => qjs::JS_EXCEPTION,
        _ => qjs::JS_UNDEFINED,
    }
}

/// The running fiber's id (-1 outside fibers, which never happens for user code).
fn op_fiber_current(ctx: Ctx<'_>) -> f64 {
    host(&ctx).scheduler.borrow().current().map_or(-1.0, TaskId::to_f64)
}

/// The `Fiber` of a running fiber, or (with its record) sets it: `current()` makes one lazily.
fn op_fiber_handle<'js>(
    ctx: Ctx<'js>,
    id: f64,
    Opt(record): Opt<Object<'js>>,
    Opt(fiber): Opt<Object<'js>>,
) -> Result<Option<Object<'js>>> {
    let id = task(&ctx, id)?;
    let mut s = host(&ctx).scheduler.borrow_mut();
    if let (Some(record), Some(fiber)) = (record, fiber) {
        let handle = Handle { record: Persistent::save(&ctx, record), fiber: Persistent::save(&ctx, fiber.clone()) };
        s.set_handle(id, handle);
        return Ok(Some(fiber));
    }
    Ok(s.handle(id).and_then(|h| h.fiber.restore(&ctx).ok()))
}

/// Waits until fiber `id` is done (its `Fiber` record is settled by then): `DONE` or
/// `CANCELLED`. A raw op, as hot as spawn.
unsafe extern "C" fn op_fiber_join(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    let mut id = -1.0;
    // SAFETY: the engine passes `argc` live arguments.
    if argc > 0 && unsafe { qjs::JS_ToFloat64(raw, &mut id, *argv) } < 0 {
        return qjs::JS_EXCEPTION;
    }
    // SAFETY: a live context for the duration of this call.
    let ctx = unsafe { context(raw) };
    let result = match task(&ctx, id) {
        Ok(id) => join(&ctx, id),
        Err(e) => Err(e),
    };
    match result {
        Ok(code) => qjs::JS_MKVAL(qjs::JS_TAG_INT, code as i32),
        Err(_) => qjs::JS_EXCEPTION,
    }
}

fn join(ctx: &Ctx<'_>, id: TaskId) -> Result<u8> {
    let added = {
        let mut s = host(ctx).scheduler.borrow_mut();
        if !s.exists(id) {
            drop(s);
            flush_effects(ctx); // its record is settled before join() reads it
            return Ok(DONE);
        }
        s.add_joiner(id)
    };
    match added {
        Ok(()) => Ok(code(park(ctx, Wait::Join(id)))),
        Err(why) => Err(errors::plain_error(ctx, &format!("join(): {why}"))),
    }
}

fn op_fiber_cancel(ctx: Ctx<'_>, id: f64) -> Result<()> {
    let id = task(&ctx, id)?;
    host(&ctx).scheduler.borrow_mut().cancel(id);
    flush_effects(&ctx); // a fiber waiting only for its timers is done now
    Ok(())
}

fn op_fiber_is_cancelled(ctx: Ctx<'_>, id: f64) -> Result<bool> {
    let id = task(&ctx, id)?;
    Ok(host(&ctx).scheduler.borrow().is_cancelled(id))
}

/// Lets every other ready fiber run once.
fn op_fiber_yield(ctx: Ctx<'_>) -> u8 {
    code(park(&ctx, Wait::Yield))
}

/// `sleep(ms)` itself, as a raw op: no JS wrapper and no argument glue, because a fiber's
/// memory is its stack pages and these frames sit under every sleeping fiber. Throws
/// `Cancelled` when cancelled.
unsafe extern "C" fn op_fiber_sleep(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    let mut ms = 0.0;
    // SAFETY: the engine passes `argc` live arguments.
    if argc > 0 && unsafe { qjs::JS_ToFloat64(raw, &mut ms, *argv) } < 0 {
        return qjs::JS_EXCEPTION;
    }
    // Infinity (or 1e300) waits as long as anything can: about 31 years, until cancelled.
    let ms = if ms > 0.0 { ms.min(1e12) } else { 0.0 };
    // SAFETY: a live context for the duration of this call.
    let ctx = unsafe { context(raw) };
    match sleep(&ctx, Duration::from_secs_f64(ms / 1e3)) {
        Waited::Cancelled => throw_cancelled(&ctx),
        _ => qjs::JS_UNDEFINED,
    }
}

/// Throws a new `Cancelled` (lib/fiber.ts's class); returns the exception marker.
#[cold]
#[inline(never)]
pub fn throw_cancelled(ctx: &Ctx<'_>) -> qjs::JSValue {
    let class = host(ctx).scheduler.borrow().hooks.cancelled.clone();
    let made = class.and_then(|c| c.restore(ctx).ok()).map(|c| {
        // SAFETY: constructing with no arguments; the result's reference is ours.
        unsafe {
            let raw = ctx.as_raw().as_ptr();
            Value::from_raw(ctx.clone(), qjs::JS_CallConstructor(raw, c.as_raw(), 0, std::ptr::null_mut()))
        }
    });
    match made {
        Some(error) if !error.is_exception() => {
            ctx.throw(error);
        }
        Some(_) => {}
        None => {
            errors::plain_error(ctx, "the fiber was cancelled");
        }
    }
    qjs::JS_EXCEPTION
}

/// Whether the running fiber is cancelled (outside `shield`): `checkpoint()` throws then.
fn op_fiber_checkpoint(ctx: Ctx<'_>) -> bool {
    host(&ctx).scheduler.borrow().current_cancelled()
}

/// Waits for a promise or thenable: returns its value, throws its reason, or returns the
/// cancel mark.
fn op_fiber_wait<'js>(ctx: Ctx<'js>, promise: Value<'js>) -> Result<Value<'js>> {
    match wait_promise(&ctx, promise)? {
        Waited::Value(value) => Ok(restore(&ctx, value)),
        Waited::Error(reason) => Err(ctx.throw(restore(&ctx, reason))),
        Waited::Done | Waited::Code(_) => Ok(Value::new_undefined(ctx.clone())),
        Waited::Cancelled => Ok(cancel_mark(&ctx)),
    }
}

/// A token for the running fiber's next `op_fiber_park`.
fn op_fiber_park_token(ctx: Ctx<'_>) -> f64 {
    host(&ctx).scheduler.borrow_mut().park_token() as f64
}

/// Parks until `op_fiber_unpark(token, value)`: returns that value, or the cancel mark. The
/// building block of channels, mutexes and semaphores.
fn op_fiber_park<'js>(ctx: Ctx<'js>, token: f64) -> Value<'js> {
    match park(&ctx, Wait::Park(token as u64)) {
        Waited::Value(value) => restore(&ctx, value),
        Waited::Cancelled => cancel_mark(&ctx),
        Waited::Done | Waited::Code(_) | Waited::Error(_) => Value::new_undefined(ctx.clone()),
    }
}

/// Wakes the fiber parked with `token`, giving it `value`; false if it no longer waits (it
/// was cancelled meanwhile), so the caller serves another.
fn op_fiber_unpark<'js>(ctx: Ctx<'js>, token: f64, value: Value<'js>) -> bool {
    let value = Persistent::save(&ctx, value);
    host(&ctx).scheduler.borrow_mut().unpark(token as u64, Resume::Value(value))
}

/// Enters `scope` (or, with `ms` ≥ 0, `timeout`) in the running fiber; returns its id.
fn op_fiber_scope_enter(ctx: Ctx<'_>, ms: f64) -> Result<f64> {
    let limit = (ms >= 0.0).then(|| Duration::from_secs_f64(ms.min(1e12) / 1e3));
    let scope = host(&ctx).scheduler.borrow_mut().enter_scope(limit);
    scope.map(TaskId::to_f64).ok_or_else(|| errors::plain_error(&ctx, "scope() needs a fiber"))
}

/// Waits (not interruptibly) until every fiber in the scope is done, then leaves it:
/// `[timed out, failures]`.
fn op_fiber_scope_exit<'js>(ctx: Ctx<'js>, scope: f64) -> Result<List<(bool, Vec<Value<'js>>)>> {
    let scope = task(&ctx, scope)?;
    while host(&ctx).scheduler.borrow().scope_busy(scope) {
        park(&ctx, Wait::Children(scope));
    }
    // A rejection inside the scope that nobody has handled yet is the scope's failure (rule 8).
    if rejection_below(&ctx, scope) {
        park(&ctx, Wait::Drain);
    }
    let (failures, timed_out) = host(&ctx).scheduler.borrow_mut().exit_scope(scope);
    flush_effects(&ctx);
    Ok(List((timed_out, failures.into_iter().map(|f| restore(&ctx, f)).collect())))
}

/// Enters (`+1`) or leaves (`-1`) `shield`.
fn op_fiber_shield(ctx: Ctx<'_>, delta: i32) {
    host(&ctx).scheduler.borrow_mut().shield(delta);
}
