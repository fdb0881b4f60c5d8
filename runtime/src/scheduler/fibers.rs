//! Running fibers: the switch into a fiber and back out, a fiber's entry, parking, the promise
//! job runner, and the scheduler's loop.
//!
//! Discipline: the scheduler is borrowed only between switches, never across one, and JS runs
//! only when it is not borrowed (outcomes are collected and written to JS afterwards).

use std::ptr::NonNull;

use rquickjs::{function::This, qjs, Ctx, Function, Persistent, Value};

use super::{
    task::{Entry, FiberState, Kind, Outcome, Resume, TaskId, Wait},
    RootEnd, Settled, Waited,
};
use crate::{
    engine::{
        host::{forget_rejection, host, restore, Thrown},
        promise::settled,
    },
    fiber::{
        engine_state::{stack_pointer, EngineState},
        switch::{prepare, switch},
    },
    uring::{Completion, Keep, Owner},
};

/// What the root fiber runs: the main module, returning the promise of its evaluation (or
/// any value; a promise is waited for).
pub type MainFn = Box<dyn for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<Value<'js>>>;

/// How the loop ended.
pub enum End {
    Root(RootEnd),
    /// Nothing can run and nothing can wake anything; `main_waiting` when the root still
    /// waits for the main module (a top-level await that never settles).
    Stuck {
        main_waiting: bool,
    },
}

/// Runs fibers until the root fiber is done.
pub fn run(ctx: &Ctx<'_>) -> End {
    // Set once nothing could run: whether the root then waited for the main module.
    let mut stuck: Option<bool> = None;
    loop {
        // Timers first: one that came due while the ring was entered (a big file read copies
        // data within that call) runs in this turn, not after the next one.
        host(ctx).scheduler.borrow_mut().fire_timers();
        let batch = host(ctx).scheduler.borrow().ready.len();
        for _ in 0..batch {
            let next = host(ctx).scheduler.borrow_mut().ready.pop_front();
            let Some(id) = next else { break };
            resume(ctx, id);
            drain_jobs(ctx);
        }
        drain_jobs(ctx);
        let host = host(ctx);
        let mut s = host.scheduler.borrow_mut();
        if let Some(root) = s.root {
            s.maybe_complete(root);
        }
        if s.has_effects() {
            drop(s);
            flush_effects(ctx);
            s = host.scheduler.borrow_mut();
        }
        if let Some(end) = s.root_end.take() {
            drop(s);
            shutdown(ctx);
            return match stuck {
                Some(main_waiting) => End::Stuck { main_waiting },
                None => End::Root(end),
            };
        }
        if !s.ready.is_empty() || jobs_pending(s.rt) {
            s.enter_ring(false);
            continue;
        }
        if !s.can_be_woken() {
            // Nothing can wake any fiber. Cancel them all, so that each unwinds (running its
            // `finally` blocks and letting go of what it holds), then report.
            let root_wait = s.root.and_then(|r| s.tasks.fiber(r)).map(|f| f.wait);
            let main_waiting = root_wait.is_some() && root_wait == s.main_token.map(Wait::Park);
            if let Some(first) = stuck {
                return End::Stuck { main_waiting: first };
            }
            stuck = Some(main_waiting);
            if let Some(root) = s.root {
                s.cancel(root);
            }
            s.enter_ring(false);
            continue;
        }
        s.enter_ring(true);
    }
}

fn jobs_pending(rt: *mut qjs::JSRuntime) -> bool {
    // SAFETY: a live runtime of this thread.
    unsafe { qjs::JS_IsJobPending(rt) }
}

/// Winds down the idle job runner once the root is done, so that it returns from its
/// function like every other fiber and nothing it holds outlives the program.
fn shutdown(ctx: &Ctx<'_>) {
    let runner = host(ctx).scheduler.borrow_mut().runner.take();
    if let Some(id) = runner {
        host(ctx).scheduler.borrow_mut().wake(id, Resume::Cancelled);
        resume(ctx, id);
    }
}

/// Runs promise jobs on the job runner fiber until none is left (a runner that parks inside
/// a job is replaced by a new one).
fn run_jobs_now(ctx: &Ctx<'_>) {
    loop {
        let id = {
            let host = host(ctx);
            let mut s = host.scheduler.borrow_mut();
            if !jobs_pending(s.rt) || s.root_end.is_some() {
                return;
            }
            match s.runner {
                Some(id) => id,
                None => {
                    let mut fiber = FiberState::new(Entry::Jobs);
                    fiber.runner = true;
                    fiber.stack = s.runner_stack.take();
                    let root = s.root;
                    let id = s.add_task(root, Kind::Fiber(Box::new(fiber)));
                    s.runner = Some(id);
                    id
                }
            }
        };
        resume(ctx, id);
        flush_effects(ctx);
        let mut s = host(ctx).scheduler.borrow_mut();
        if s.runner == Some(id) && !s.exists(id) {
            // It got no stack (and failed the root with that): the jobs wait for the end.
            s.runner = None;
            return;
        }
    }
}

/// Switches to fiber `id` until it parks or ends.
fn resume(ctx: &Ctx<'_>, id: TaskId) {
    let (to_sp, main_slot) = {
        let host = host(ctx);
        let mut guard = host.scheduler.borrow_mut();
        let s = &mut *guard;
        let is_root = Some(id) == s.root;
        let rt = s.rt;
        let ctx_ptr = s.ctx.as_ptr();
        let Some(task) = s.tasks.get_mut(id) else { return };
        let Some(fiber) = task.fiber_mut() else { return };
        if fiber.sp.is_null() {
            // Spawned fibers brought their stack; the scheduler's own (timer callbacks, promise
            // jobs, the root) take theirs now.
            let pool = if is_root { &mut s.root_pool } else { &mut s.pool };
            let stack = match fiber.stack.take().map_or_else(|| pool.take(), Ok) {
                Ok(stack) => stack,
                Err(e) => {
                    drop(guard);
                    return no_stack(ctx, id, e);
                }
            };
            // SAFETY: a fresh stack from the pool.
            fiber.sp = unsafe { prepare(stack.top(), fiber_entry, ctx_ptr.cast()) };
            fiber.engine = Some(EngineState::fresh(&s.idle_engine, stack.bottom(), stack.top()));
            fiber.lowest = stack.top();
            fiber.stack = Some(stack);
        }
        fiber.wait = Wait::Running;
        let engine = fiber.engine.take().expect("a suspended fiber keeps its engine state");
        let to_sp = fiber.sp;
        s.current = Some(id);
        // SAFETY: the runtime is ours and idle between these two calls.
        unsafe {
            s.main_engine = Some(EngineState::save(rt));
            engine.load(rt);
        }
        (to_sp, &mut s.main_sp as *mut *mut u8)
    };
    // SAFETY: `to_sp` is the fiber's prepared or saved stack pointer; `main_slot` points into
    // the scheduler, which lives in the host for the whole run. Nothing is borrowed.
    unsafe { switch(main_slot, to_sp) };
    // Back on the scheduler's stack: the fiber saved its engine state and loaded ours.
    let host = host(ctx);
    let mut s = host.scheduler.borrow_mut();
    if let Some((id, duration)) = s.sleeper.take() {
        s.arm_sleep(id, duration);
    }
    if let Some((stack, lowest, root)) = s.exiting.take() {
        let pool = if root { &mut s.root_pool } else { &mut s.pool };
        pool.give(stack, lowest);
    }
}

/// A fiber the scheduler started (a timer callback, promise jobs) got no stack: it fails with
/// the error, which goes where its failure would (rule 7), instead of ending the process.
#[cold]
fn no_stack(ctx: &Ctx<'_>, id: TaskId, error: std::io::Error) {
    let error = stack_error(ctx, error);
    let mut s = host(ctx).scheduler.borrow_mut();
    // A job runner is tried again each turn while jobs wait: the program fails once for it.
    let runner = s.tasks.fiber(id).is_some_and(|f| f.runner);
    // A one-shot timer whose callback never ran is done all the same.
    if let Some(Entry::Timer(timer)) = s.tasks.fiber_mut(id).and_then(|f| f.entry.take()) {
        s.take_timer_callback(timer);
    }
    let outcome = if runner && std::mem::replace(&mut s.runner_starved, true) {
        Outcome::Cancelled
    } else {
        Outcome::Threw(Persistent::save(ctx, error))
    };
    s.function_ended(id, outcome);
    drop(s);
    flush_effects(ctx);
}

/// The error for a fiber stack that could not be allocated.
pub fn stack_error<'js>(ctx: &Ctx<'js>, error: std::io::Error) -> Value<'js> {
    let errno = error.raw_os_error().unwrap_or(libc::ENOMEM);
    let what = "a stack for a new fiber; --stack-size sets their size";
    crate::ops::errors::sys_error(ctx, errno, "mmap", crate::ops::errors::Target::What(what))
        .unwrap_or_else(|_| ctx.catch())
}

/// Suspends the running fiber in `wait` until something wakes it. Returns at once with
/// `Cancelled` if the fiber is cancelled and the wait is one cancellation interrupts.
///
/// This frame, and those of the ops that call it, sit under every waiting fiber, and a fiber's
/// memory is the stack pages it touched: keep them small (a fiber sleeping 20 JS calls deep
/// fits in 4 pages with 72 bytes to spare; bench/RESULTS.md).
pub fn park(ctx: &Ctx<'_>, wait: Wait) -> Waited {
    let (slot, main_sp) = {
        let host = host(ctx);
        let mut guard = host.scheduler.borrow_mut();
        let s = &mut *guard;
        let interruptible = matches!(wait, Wait::Sleep(_) | Wait::Join(_) | Wait::Park(_) | Wait::Yield);
        let id = match s.current {
            Some(id) if !(interruptible && s.current_cancelled()) => id,
            // Cancelled already, or not on a fiber (a bug in an op): no wait.
            _ => {
                drop(guard);
                return not_waiting(ctx, wait);
            }
        };
        let rt = s.rt;
        if let Wait::Park(token) = wait {
            s.pending_token = None;
            if let Some(resume) = s.early.remove(&token) {
                drop(guard);
                return waited(resume);
            }
        }
        match wait {
            Wait::Park(token) => {
                s.parked.insert(token, id);
            }
            Wait::Yield => s.ready.push_back(id),
            Wait::Drain => s.draining.push(id),
            _ => {}
        }
        let is_runner_in_job = s.runner == Some(id) && wait != Wait::Idle;
        if is_runner_in_job {
            s.runner = None; // jobs continue on a new runner meanwhile
        }
        let fiber = s.tasks.fiber_mut(id).expect("the running fiber exists");
        fiber.wait = wait;
        fiber.lowest = fiber.lowest.min(stack_pointer());

        // SAFETY: the runtime is ours; the main engine state was saved when we were resumed.
        unsafe {
            fiber.engine = Some(EngineState::save(rt));
            s.main_engine.take().expect("resumed from the scheduler").load(rt);
        }
        s.current = None;
        (&mut fiber.sp as *mut *mut u8, s.main_sp)
    };
    // SAFETY: `slot` lies in the fiber's boxed state, which outlives its wait; `main_sp` is the
    // scheduler's saved stack pointer. Nothing is borrowed.
    unsafe { switch(slot, main_sp) };
    let mut s = host(ctx).scheduler.borrow_mut();
    let id = s.current.expect("resumed by the scheduler");
    let fiber = s.tasks.fiber_mut(id).expect("the running fiber exists");
    waited(std::mem::replace(&mut fiber.resume, Resume::Normal))
}

fn waited(resume: Resume) -> Waited {
    match resume {
        Resume::Normal => Waited::Done,
        Resume::Code(code) => Waited::Code(code),
        Resume::Value(v) => Waited::Value(v),
        Resume::Error(e) => Waited::Error(e),
        Resume::Cancelled => Waited::Cancelled,
    }
}

/// A wait that does not happen: takes back what the op registered, and reports it cancelled.
/// Out of line, so that `park`'s frame (under every waiting fiber) stays small.
#[cold]
#[inline(never)]
fn not_waiting(ctx: &Ctx<'_>, wait: Wait) -> Waited {
    undo(ctx, wait);
    Waited::Cancelled
}

/// Takes back what an op registered before a wait that did not happen.
fn undo(ctx: &Ctx<'_>, wait: Wait) {
    let host = host(ctx);
    let mut s = host.scheduler.borrow_mut();
    match wait {
        Wait::Sleep(_) => {}
        Wait::Join(target) => {
            let me = s.current;
            if let Some(t) = s.tasks.fiber_mut(target) {
                t.joiners.retain(|j| Some(*j) != me);
            }
        }
        _ => {}
    }
}

/// `sleep(duration)` from the running fiber; its wake-up is set once it has switched away.
#[inline(always)]
pub fn sleep(ctx: &Ctx<'_>, duration: std::time::Duration) -> Waited {
    {
        let mut s = host(ctx).scheduler.borrow_mut();
        if s.current_cancelled() {
            return Waited::Cancelled;
        }
        s.sleeper = s.current.map(|id| (id, duration));
    }
    park(ctx, Wait::Sleep(None))
}

/// Submits `entry` for the running fiber and waits for its completion, which returns with the
/// memory the operation kept. `None` when the fiber is cancelled (outside `shield`) before
/// anything was submitted. Cancelled while waiting, the operation is cancelled in the kernel and
/// this returns once the kernel has let go of it: with `-ECANCELED`, or with its real result
/// when it finished first (nothing it did is lost).
///
/// # Safety
/// Every pointer in `entry` must point into `keep`'s heap memory.
#[inline(always)]
pub unsafe fn io(ctx: &Ctx<'_>, keep: Keep, entry: io_uring::squeue::Entry) -> Option<(Completion, Keep)> {
    let op = {
        let mut s = host(ctx).scheduler.borrow_mut();
        let id = match s.current {
            Some(id) if !s.current_cancelled() => id,
            _ => return None,
        };
        // SAFETY: as the caller guarantees.
        unsafe { s.ring.start(Owner::Fiber(id), keep, entry) }
    };
    park(ctx, Wait::Io(op));
    host(ctx).scheduler.borrow_mut().ring.take(op)
}

/// Waits for `promise` (any thenable) from the running fiber.
pub fn wait_promise<'js>(ctx: &Ctx<'js>, promise: Value<'js>) -> rquickjs::Result<Waited> {
    let token = host(ctx).scheduler.borrow_mut().park_token();
    let settle = |ok: bool| {
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, value: Value<'js>| {
            let saved = Persistent::save(&ctx, value);
            let resume = if ok { Resume::Value(saved) } else { Resume::Error(saved) };
            host(&ctx).scheduler.borrow_mut().unpark(token, resume);
        })
    };
    let then: Function = match promise.as_object().map(|o| o.get::<_, Value>("then")) {
        Some(Ok(then)) if then.is_function() => then.into_function().expect("checked"),
        // Not a thenable: it is its own value, as `await` treats it.
        _ => return Ok(Waited::Value(Persistent::save(ctx, promise))),
    };
    then.call::<_, Value>((This(promise), settle(true)?, settle(false)?))?;
    Ok(park(ctx, Wait::Park(token)))
}

/// The root's wait for the main module's promise: settled already (a module without top-level
/// await), or once promise jobs have run ([`settle_main`]).
fn wait_main<'js>(ctx: &Ctx<'js>, promise: rquickjs::Promise<'js>) -> Waited {
    if let Some(outcome) = settled(ctx, &promise) {
        return waited(main_outcome(ctx, &promise, outcome));
    }
    let token = {
        let mut s = host(ctx).scheduler.borrow_mut();
        let token = s.park_token();
        s.main_token = Some(token);
        s.main_promise = Some(Persistent::save(ctx, promise));
        token
    };
    park(ctx, Wait::Park(token))
}

/// Wakes the root once the main module's promise has settled.
fn settle_main(ctx: &Ctx<'_>) {
    let pending = {
        let s = host(ctx).scheduler.borrow();
        s.main_token.zip(s.main_promise.clone())
    };
    let Some((token, promise)) = pending else { return };
    let Ok(promise) = promise.restore(ctx) else { return };
    let Some(outcome) = settled(ctx, &promise) else { return };
    let resume = main_outcome(ctx, &promise, outcome);
    let mut s = host(ctx).scheduler.borrow_mut();
    s.main_promise = None;
    s.unpark(token, resume);
}

/// How the main module ended. Its rejection is the root's failure, not an unhandled rejection.
fn main_outcome<'js>(
    ctx: &Ctx<'js>,
    promise: &rquickjs::Promise<'js>,
    outcome: Result<Value<'js>, Value<'js>>,
) -> Resume {
    match outcome {
        Ok(value) => Resume::Value(Persistent::save(ctx, value)),
        Err(reason) => {
            forget_rejection(ctx, host(ctx), promise.as_value());
            Resume::Error(Persistent::save(ctx, reason))
        }
    }
}

/// Whether a rejection not reported yet happened in fiber (or scope) `id`, or below it.
pub fn rejection_below(ctx: &Ctx<'_>, id: TaskId) -> bool {
    host(ctx).rejections.borrow().iter().any(|r| r.owners.contains(&id))
}

/// Reports the rejections still unhandled now that promise jobs have run: each fails the first
/// task still alive where it happened (its fiber or scope, else what is above it), as an error
/// thrown there would (rule 7). Fibers that waited for this (`Wait::Drain`) go on.
fn report_rejections(ctx: &Ctx<'_>) {
    let host = host(ctx);
    let pending = std::mem::take(&mut *host.rejections.borrow_mut());
    let mut s = host.scheduler.borrow_mut();
    for rejection in pending {
        let owner = rejection.owners.iter().copied().find(|owner| s.exists(*owner));
        match owner {
            Some(owner) => s.fail_task(owner, rejection.reason),
            None => s.fail_root(rejection.reason, true),
        }
    }
    s.end_drain();
}

/// Runs promise jobs until none is left, then settles what waited for them: the main module's
/// promise, and the rejections nobody handled.
fn drain_jobs(ctx: &Ctx<'_>) {
    run_jobs_now(ctx);
    settle_main(ctx);
    report_rejections(ctx);
}

/// The first code of every fiber, on its own stack.
unsafe extern "sysv64" fn fiber_entry(arg: *mut u8) -> ! {
    // SAFETY: `arg` is the context pointer `resume` passed; it outlives every fiber.
    let ctx = unsafe { Ctx::from_raw(NonNull::new_unchecked(arg.cast())) };
    run_fiber(&ctx);
    drop(ctx);
    // SAFETY: as above.
    unsafe { exit_fiber(arg.cast()) }
}

/// Runs the fiber's function, then records how it ended. Every engine value made here is
/// dropped before the stack is given up.
fn run_fiber(ctx: &Ctx<'_>) {
    let (id, entry) = {
        let host = host(ctx);
        let mut s = host.scheduler.borrow_mut();
        let id = s.current.expect("a fiber runs as current");
        let entry = s.tasks.fiber_mut(id).and_then(|f| f.entry.take());
        (id, entry)
    };
    let outcome = match entry {
        Some(Entry::Function(function)) => call(ctx, id, function),
        Some(Entry::Timer(timer)) => run_timer(ctx, id, timer),
        Some(Entry::Jobs) => run_jobs(ctx, id),
        Some(Entry::Main) => run_main(ctx, id),
        None => Outcome::Cancelled,
    };
    // A rejection that happened in this fiber and is not handled yet fails it, not whatever
    // is above it: it stays until the rejection is reported (or handled).
    if rejection_below(ctx, id) {
        park(ctx, Wait::Drain);
    }
    {
        let host = host(ctx);
        let mut guard = host.scheduler.borrow_mut();
        let s = &mut *guard;
        let is_root = Some(id) == s.root;
        if let Some(fiber) = s.tasks.fiber_mut(id) {
            // The stack is still in use until the last switch; the scheduler takes it then.
            if let Some(stack) = fiber.stack.take() {
                s.exiting = Some((stack, fiber.lowest, is_root));
            }
        }
        s.function_ended(id, outcome);
    }
    flush_effects(ctx);
}

/// Calls a fiber's function with no arguments. Directly through the engine: every byte of
/// this frame sits under every frame of the fiber, and a fiber's memory is its stack pages.
#[inline(always)]
fn call(ctx: &Ctx<'_>, id: TaskId, function: Persistent<Function<'static>>) -> Outcome {
    let Ok(function) = function.restore(ctx) else { return Outcome::Cancelled };
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a live function of this context, called with no arguments; the result's
    // reference is ours and handed to `Value`.
    let result = unsafe {
        let value = qjs::JS_Call(raw, function.as_raw(), qjs::JS_UNDEFINED, 0, std::ptr::null_mut());
        Value::from_raw(ctx.clone(), value)
    };
    if result.is_exception() {
        let error = ctx.catch();
        thrown_by(ctx, &error, &function);
        classify(ctx, id, error)
    } else {
        Outcome::Returned(Persistent::save(ctx, result))
    }
}

/// A value that is not an error object carries no stack: remember which function threw it, so
/// that the report can say where (`throw "a string"`).
#[cold]
#[inline(never)]
fn thrown_by<'js>(ctx: &Ctx<'js>, error: &Value<'js>, function: &Function<'js>) {
    if error.as_object().is_some_and(|o| o.contains_key("stack").unwrap_or(false)) {
        return;
    }
    let place = (
        function.get::<_, String>("fileName"),
        function.get::<_, u32>("lineNumber"),
        function.get::<_, u32>("columnNumber"),
    );
    ctx.catch();
    if let (Ok(file), Ok(line), Ok(column)) = place {
        let thrown = Thrown { value: Persistent::save(ctx, error.clone()), file, line, column };
        host(ctx).thrown.borrow_mut().push(thrown);
    }
}

#[inline(never)]
fn run_timer(ctx: &Ctx<'_>, id: TaskId, timer: TaskId) -> Outcome {
    let callback = host(ctx).scheduler.borrow_mut().take_timer_callback(timer);
    match callback {
        Some(callback) => call(ctx, id, callback),
        None => Outcome::Cancelled,
    }
}

#[inline(never)]
fn run_main(ctx: &Ctx<'_>, id: TaskId) -> Outcome {
    let main = host(ctx).scheduler.borrow_mut().main.take();
    let Some(main) = main else { return Outcome::Cancelled };
    let promise = match main(ctx) {
        Ok(promise) => promise,
        Err(_) => return classify(ctx, id, ctx.catch()),
    };
    // The main module's evaluation gives a promise; a test file's harness, its summary.
    let waited = match promise.as_promise() {
        Some(promise) => wait_main(ctx, promise.clone()),
        None => Waited::Value(Persistent::save(ctx, promise)),
    };
    match waited {
        Waited::Value(value) => Outcome::Returned(value),
        Waited::Error(error) => {
            let error = restore(ctx, error);
            classify(ctx, id, error)
        }
        Waited::Done | Waited::Code(_) | Waited::Cancelled => Outcome::Cancelled,
    }
}

#[inline(never)]
/// How a fiber's function ended when it threw `error`: its own cancellation (rule 6) or a
/// failure. An error made uncatchable to stop runaway code (a test's time limit) becomes an
/// ordinary one now that the fiber has unwound.
fn classify<'js>(ctx: &Ctx<'js>, id: TaskId, error: Value<'js>) -> Outcome {
    // SAFETY: inspecting and clearing a flag of a live value.
    unsafe {
        if qjs::JS_IsUncatchableError(error.as_raw()) {
            qjs::JS_ClearUncatchableError(ctx.as_raw().as_ptr(), error.as_raw());
        }
    }
    let (cancelled, class) = {
        let host = host(ctx);
        let s = host.scheduler.borrow();
        (s.is_cancelled(id), s.hooks.cancelled.clone())
    };
    let is_cancelled_error = match (cancelled, class.map(|c| c.restore(ctx))) {
        (true, Some(Ok(class))) => error.as_object().is_some_and(|o| o.is_instance_of(&class)),
        _ => false,
    };
    if is_cancelled_error {
        Outcome::Cancelled
    } else {
        Outcome::Threw(Persistent::save(ctx, error))
    }
}

/// The job runner: runs promise jobs until none is left, and waits for more. A runner that was
/// replaced while parked inside a job ends after it.
#[inline(never)]
fn run_jobs(ctx: &Ctx<'_>, id: TaskId) -> Outcome {
    loop {
        loop {
            {
                let host = host(ctx);
                let mut s = host.scheduler.borrow_mut();
                match s.runner {
                    Some(runner) if runner == id => {}
                    None if s.root_end.is_none() => s.runner = Some(id),
                    _ => return Outcome::Returned(Persistent::save(ctx, Value::new_undefined(ctx.clone()))),
                }
            }
            let mut job_ctx = std::ptr::null_mut();
            // SAFETY: a live runtime; quickjs reports the context the job ran in, which is ours.
            let ran = unsafe { qjs::JS_ExecutePendingJob(qjs::JS_GetRuntime(ctx.as_raw().as_ptr()), &mut job_ctx) };
            if ran < 0 {
                let error = ctx.catch();
                report_uncaught(ctx, error, false);
            }
            if ran == 0 {
                break;
            }
        }
        if let Waited::Cancelled = park(ctx, Wait::Idle) {
            return Outcome::Cancelled; // the program is over
        }
    }
}

/// An error no JS caller can receive ends the program: the root fails with it.
pub fn report_uncaught<'js>(ctx: &Ctx<'js>, error: Value<'js>, rejection: bool) {
    let saved = Persistent::save(ctx, error);
    host(ctx).scheduler.borrow_mut().fail_root(saved, rejection);
}

/// Leaves a fiber whose function has ended, for good.
///
/// # Safety
/// Called last on a fiber's stack, with no live values on it.
unsafe fn exit_fiber(ctx: *mut qjs::JSContext) -> ! {
    // SAFETY: the context outlives every fiber.
    let ctx = unsafe { Ctx::from_raw(NonNull::new_unchecked(ctx)) };
    let main_sp = {
        let host = host(&ctx);
        let mut s = host.scheduler.borrow_mut();
        s.current = None;
        let rt = s.rt;
        // SAFETY: the main engine state was saved when this fiber was resumed.
        unsafe { s.main_engine.take().expect("resumed from the scheduler").load(rt) };
        s.main_sp
    };
    drop(ctx);
    let mut dead = std::ptr::null_mut();
    // SAFETY: the scheduler's saved stack pointer; this stack is never resumed.
    unsafe { switch(&mut dead, main_sp) };
    unreachable!("a finished fiber was resumed")
}

/// Records how finished fibers ended in their `Fiber` records (lib/fiber.ts): state at index
/// 2 (1 returned, 2 failed, 3 cancelled), the value or error at 3, whether it was cancelled at 4.
/// Several errors become one `AggregateError` (rule 7).
pub fn flush_effects(ctx: &Ctx<'_>) {
    let effects = host(ctx).scheduler.borrow_mut().take_effects();
    for effect in effects {
        let Ok(record) = effect.record.restore(ctx) else { continue };
        let (state, value) = match effect.settled {
            Settled::Returned(value) => (1, restore(ctx, value)),
            Settled::Failed(mut errors) if errors.len() == 1 => (2, restore(ctx, errors.remove(0))),
            Settled::Failed(errors) => (2, aggregate(ctx, errors)),
            Settled::Cancelled => (3, Value::new_undefined(ctx.clone())),
        };
        let raw = ctx.as_raw().as_ptr();
        let fields =
            [(2, Value::new_int(ctx.clone(), state)), (3, value), (4, Value::new_bool(ctx.clone(), effect.cancelled))];
        for (index, field) in fields {
            // SAFETY: a live array of this context; the engine takes the duplicated value.
            let set = unsafe {
                qjs::JS_SetPropertyUint32(raw, record.as_raw(), index, qjs::JS_DupValue(raw, field.as_raw()))
            };
            if set < 0 {
                ctx.catch();
            }
        }
    }
}

/// `new AggregateError(errors, "N fibers failed")`.
fn aggregate<'js>(ctx: &Ctx<'js>, errors: Vec<crate::engine::host::Saved>) -> Value<'js> {
    let count = errors.len();
    let errors: Vec<Value> = errors.into_iter().map(|e| restore(ctx, e)).collect();
    let made = ctx
        .globals()
        .get::<_, rquickjs::function::Constructor>("AggregateError")
        .and_then(|c| c.construct::<_, Value>((errors, format!("{count} fibers failed"))));
    made.unwrap_or_else(|_| ctx.catch())
}
