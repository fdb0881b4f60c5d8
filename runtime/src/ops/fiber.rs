//! Ops of `uringy:fiber`: spawning, joining, cancelling and the calls that wait.
//!
//! Calls that wait return a status instead of throwing, and lib/fiber.ts throws the matching
//! class (`Cancelled`, `TimeoutError`): native code never builds JS error classes.

use std::time::Duration;

use rquickjs::{convert::List, function::Opt, Ctx, Function, Object, Persistent, Result, Value};

use super::Ops;
use crate::{
    js::{
        engine::set_index,
        errors,
        raw_op::{Args, RawOp, Return},
    },
    scheduler::{
        self, flush_effects, park, rejection_below, sleep, stack_error,
        task::{Handle, Resume, TaskId, Wait},
        throw_cancelled, wait_promise, with, Waited,
    },
};

/// A wait ended normally.
const DONE: u8 = 0;
/// A wait ended because the fiber was cancelled.
const CANCELLED: u8 = 1;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fiber_register", op_fiber_register)?;
    ops.add_raw::<Spawn>()?;
    ops.add("op_fiber_current", op_fiber_current)?;
    ops.add("op_fiber_handle", op_fiber_handle)?;
    ops.add_raw::<Join>()?;
    ops.add("op_fiber_cancel", op_fiber_cancel)?;
    ops.add("op_fiber_is_cancelled", op_fiber_is_cancelled)?;
    ops.add("op_fiber_yield", op_fiber_yield)?;
    ops.add_raw::<Sleep>()?;
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
    let (cancelled, mark) = (Persistent::save(&ctx, cancelled), Persistent::save(&ctx, mark));
    with(|s| {
        s.hooks.cancelled = Some(cancelled);
        s.hooks.cancel_mark = Some(mark);
    });
}

/// The value a cancelled wait returns.
pub fn cancel_mark<'js>(ctx: &Ctx<'js>) -> Value<'js> {
    let mark = with(|s| s.hooks.cancel_mark.clone());
    mark.and_then(|m| m.restore(ctx).ok()).unwrap_or_else(|| Value::new_undefined(ctx.clone()))
}

/// `op_fiber_spawn(function, record, fiber)`: starts `function` on a new fiber, a child of the
/// caller's innermost scope. `record` is the `Fiber`'s record: its task id is written to
/// `record[0]` now, and its outcome when it is done. A raw op: spawn is hot, and rquickjs's
/// argument glue costs more than the work.
struct Spawn;

impl RawOp for Spawn {
    const NAME: &'static std::ffi::CStr = c"op_fiber_spawn";
    const LENGTH: i32 = 3;

    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let ctx = &args.ctx;
        let (Some(function), Some(record), Some(fiber)) =
            (args.value(0).into_function(), args.value(1).into_object(), args.value(2).into_object())
        else {
            return Err(errors::type_error(ctx, "op_fiber_spawn(function, record, fiber)"));
        };
        let handle = Handle { record: Persistent::save(ctx, record.clone()), fiber: Persistent::save(ctx, fiber) };
        let function = Persistent::save(ctx, function);
        let id = match with(|s| s.spawn(function, Some(handle))) {
            Ok(id) => id,
            Err(e) => return Err(ctx.throw(stack_error(ctx, e))),
        };
        if !set_index(ctx, &record, 0, Value::new_number(ctx.clone(), id.to_f64())) {
            return Err(rquickjs::Error::Exception);
        }
        Ok(Return::Undefined)
    }
}

/// The running fiber's id (-1 outside fibers, which never happens for user code).
fn op_fiber_current() -> f64 {
    with(|s| s.current().map_or(-1.0, TaskId::to_f64))
}

/// The `Fiber` of a running fiber, or (with its record) sets it: `current()` makes one lazily.
fn op_fiber_handle<'js>(
    ctx: Ctx<'js>,
    id: f64,
    Opt(record): Opt<Object<'js>>,
    Opt(fiber): Opt<Object<'js>>,
) -> Result<Option<Object<'js>>> {
    let id = task(&ctx, id)?;
    if let (Some(record), Some(fiber)) = (record, fiber) {
        let handle = Handle { record: Persistent::save(&ctx, record), fiber: Persistent::save(&ctx, fiber.clone()) };
        with(|s| s.set_handle(id, handle));
        return Ok(Some(fiber));
    }
    Ok(with(|s| s.handle(id)).and_then(|h| h.fiber.restore(&ctx).ok()))
}

/// `op_fiber_join(id)`: waits until fiber `id` is done (its `Fiber` record is settled by then):
/// `DONE` or `CANCELLED`. A raw op, as hot as spawn.
struct Join;

impl RawOp for Join {
    const NAME: &'static std::ffi::CStr = c"op_fiber_join";
    const LENGTH: i32 = 1;

    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let id = task(&args.ctx, args.number(0)?)?;
        Ok(Return::Int(join(&args.ctx, id)? as i32))
    }
}

fn join(ctx: &Ctx<'_>, id: TaskId) -> Result<u8> {
    let added = with(|s| if s.exists(id) { Some(s.add_joiner(id)) } else { None });
    match added {
        None => {
            flush_effects(ctx); // its record is settled before join() reads it
            Ok(DONE)
        }
        Some(Ok(())) => Ok(code(park(Wait::Join(id)))),
        Some(Err(why)) => Err(errors::plain_error(ctx, &format!("join(): {why}"))),
    }
}

fn op_fiber_cancel(ctx: Ctx<'_>, id: f64) -> Result<()> {
    let id = task(&ctx, id)?;
    with(|s| s.cancel(id));
    flush_effects(&ctx); // a fiber waiting only for its timers is done now
    Ok(())
}

fn op_fiber_is_cancelled(ctx: Ctx<'_>, id: f64) -> Result<bool> {
    let id = task(&ctx, id)?;
    Ok(with(|s| s.is_cancelled(id)))
}

/// Lets every other ready fiber run once.
fn op_fiber_yield() -> u8 {
    code(park(Wait::Yield))
}

/// `op_fiber_sleep(ms)`: `sleep(ms)` itself, as a raw op: no JS wrapper and no argument glue,
/// because a fiber's memory is its stack pages and these frames sit under every sleeping
/// fiber. Throws `Cancelled` when cancelled.
struct Sleep;

impl RawOp for Sleep {
    const NAME: &'static std::ffi::CStr = c"op_fiber_sleep";
    const LENGTH: i32 = 1;

    #[inline(always)]
    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let ms = args.number(0)?;
        // Infinity (or 1e300) waits as long as anything can: about 31 years, until cancelled.
        let ms = if ms > 0.0 { ms.min(1e12) } else { 0.0 };
        match sleep(Duration::from_secs_f64(ms / 1e3)) {
            Waited::Cancelled => Err(throw_cancelled(&args.ctx)),
            _ => Ok(Return::Undefined),
        }
    }
}

/// Whether the running fiber is cancelled (outside `shield`): `checkpoint()` throws then.
fn op_fiber_checkpoint() -> bool {
    with(|s| s.current_cancelled())
}

/// Waits for a promise or thenable: returns its value, throws its reason, or returns the
/// cancel mark.
fn op_fiber_wait<'js>(ctx: Ctx<'js>, promise: Value<'js>) -> Result<Value<'js>> {
    match wait_promise(&ctx, promise)? {
        Waited::Value(value) => Ok(scheduler::restore(&ctx, value)),
        Waited::Error(reason) => Err(ctx.throw(scheduler::restore(&ctx, reason))),
        Waited::Done | Waited::Code(_) => Ok(Value::new_undefined(ctx.clone())),
        Waited::Cancelled => Ok(cancel_mark(&ctx)),
    }
}

/// A token for the running fiber's next `op_fiber_park`.
fn op_fiber_park_token() -> f64 {
    with(|s| s.park_token()) as f64
}

/// Parks until `op_fiber_unpark(token, value)`: returns that value, or the cancel mark. The
/// building block of channels, mutexes and semaphores.
fn op_fiber_park<'js>(ctx: Ctx<'js>, token: f64) -> Value<'js> {
    match park(Wait::Park(token as u64)) {
        Waited::Value(value) => scheduler::restore(&ctx, value),
        Waited::Cancelled => cancel_mark(&ctx),
        Waited::Done | Waited::Code(_) | Waited::Error(_) => Value::new_undefined(ctx.clone()),
    }
}

/// Wakes the fiber parked with `token`, giving it `value`; false if it no longer waits (it
/// was cancelled meanwhile), so the caller serves another.
fn op_fiber_unpark<'js>(ctx: Ctx<'js>, token: f64, value: Value<'js>) -> bool {
    let value = Persistent::save(&ctx, value);
    with(|s| s.unpark(token as u64, Resume::Value(value)))
}

/// Enters `scope` (or, with `ms` ≥ 0, `timeout`) in the running fiber; returns its id.
fn op_fiber_scope_enter(ctx: Ctx<'_>, ms: f64) -> Result<f64> {
    let limit = (ms >= 0.0).then(|| Duration::from_secs_f64(ms.min(1e12) / 1e3));
    let scope = with(|s| s.enter_scope(limit));
    scope.map(TaskId::to_f64).ok_or_else(|| errors::plain_error(&ctx, "scope() needs a fiber"))
}

/// Waits (not interruptibly) until every fiber in the scope is done, then leaves it:
/// `[timed out, failures]`.
fn op_fiber_scope_exit<'js>(ctx: Ctx<'js>, scope: f64) -> Result<List<(bool, Vec<Value<'js>>)>> {
    let scope = task(&ctx, scope)?;
    while with(|s| s.scope_busy(scope)) {
        park(Wait::Children(scope));
    }
    // A rejection inside the scope that nobody has handled yet is the scope's failure (rule 8).
    if rejection_below(scope) {
        park(Wait::Drain);
    }
    let (failures, timed_out) = with(|s| s.exit_scope(scope));
    flush_effects(&ctx);
    Ok(List((timed_out, failures.into_iter().map(|f| scheduler::restore(&ctx, f)).collect())))
}

/// Enters (`+1`) or leaves (`-1`) `shield`.
fn op_fiber_shield(delta: i32) {
    with(|s| s.shield(delta));
}
