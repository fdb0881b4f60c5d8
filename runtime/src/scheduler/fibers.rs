//! Running fibers: resuming one and parking it again, a fiber's entry, the promise job
//! runner, waiting for the main module, and the scheduler's loop.
//!
//! Discipline: the scheduler is borrowed only between switches, never across one, and JS runs
//! only when it is not borrowed (outcomes are collected and written to JS afterwards).

use std::{rc::Rc, time::Instant};

use rquickjs::{function::This, Ctx, Function, Persistent, Value};

use super::{
    rejections::{forget_rejection, rejection_below, thrown_by},
    task::{Entry, FiberState, Kind, Outcome, Resume, TaskId, Wait},
    with, RootEnd, Saved, Settled, Waited,
};
use crate::{
    fiber::{
        context::{Context, State},
        stack::Stack,
    },
    js::{
        self,
        engine::{Engine, Job},
        promise::settled,
    },
    uring::RingError,
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
    /// io_uring stopped working: nothing can wait any more.
    Broken(RingError),
    /// The time given ran out with the program still running; [`run`] again goes on.
    Paused,
}

/// A saved value, back in the engine (`undefined` if it cannot be restored).
pub fn restore<'js>(ctx: &Ctx<'js>, saved: Saved) -> Value<'js> {
    saved.restore(ctx).unwrap_or_else(|_| Value::new_undefined(ctx.clone()))
}

/// Runs fibers until the root fiber is done, or until `until` passes.
pub fn run(ctx: &Ctx<'_>, until: Option<Instant>) -> End {
    // Set once nothing could run: whether the root then waited for the main module.
    let mut stuck: Option<bool> = None;
    loop {
        if until.is_some_and(|until| Instant::now() >= until) {
            return End::Paused;
        }
        // Timers first: one that came due while the ring was entered (a big file read copies
        // data within that call) runs in this turn, not after the next one.
        let batch = with(|s| {
            s.fire_timers();
            s.ready.len()
        });
        for _ in 0..batch {
            let Some(id) = with(|s| s.ready.pop_front()) else { break };
            resume(id);
            drain_jobs(ctx);
        }
        drain_jobs(ctx);
        let has_effects = with(|s| {
            if let Some(root) = s.root {
                s.maybe_complete(root);
            }
            s.has_effects()
        });
        if has_effects {
            flush_effects(ctx);
        }
        enum Next {
            Done(RootEnd),
            Poll,
            Stuck(bool),
            Wait,
        }
        let next = with(|s| {
            if let Some(end) = s.root_end.take() {
                Next::Done(end)
            } else if !s.ready.is_empty() || s.engine.jobs_pending() {
                Next::Poll
            } else if !s.can_be_woken() {
                let root_wait = s.root.and_then(|r| s.tasks.fiber(r)).map(|f| f.wait);
                Next::Stuck(root_wait.is_some() && root_wait == s.main_token.map(Wait::Park))
            } else {
                Next::Wait
            }
        });
        let entered = match next {
            Next::Done(end) => {
                shutdown();
                return match stuck {
                    Some(main_waiting) => End::Stuck { main_waiting },
                    None => End::Root(end),
                };
            }
            Next::Poll => with(|s| s.enter_ring(None)),
            // Nothing can wake any fiber. Cancel them all, so that each unwinds (running its
            // `finally` blocks and letting go of what it holds), then report.
            Next::Stuck(main_waiting) => {
                if let Some(first) = stuck {
                    return End::Stuck { main_waiting: first };
                }
                stuck = Some(main_waiting);
                with(|s| {
                    if let Some(root) = s.root {
                        s.cancel(root);
                    }
                    s.enter_ring(None)
                })
            }
            Next::Wait => with(|s| s.enter_ring(Some(until))),
        };
        if let Err(error) = entered {
            return End::Broken(error);
        }
    }
}

/// Winds down the idle job runner once the root is done, so that it returns from its
/// function like every other fiber and nothing it holds outlives the program.
fn shutdown() {
    if let Some(id) = with(|s| s.runner.take()) {
        with(|s| s.wake(id, Resume::Cancelled));
        resume(id);
    }
}

/// Runs promise jobs on the job runner fiber until none is left (a runner that parks inside
/// a job is replaced by a new one).
fn run_jobs_now(ctx: &Ctx<'_>) {
    loop {
        let runner = with(|s| {
            if !s.engine.jobs_pending() || s.root_end.is_some() {
                return None;
            }
            Some(match s.runner {
                Some(id) => id,
                None => {
                    let mut fiber = FiberState::new(Entry::Jobs);
                    fiber.runner = true;
                    fiber.context = s.runner_stack.take().map(context);
                    let root = s.root;
                    let id = s.add_task(root, Kind::Fiber(Box::new(fiber)));
                    s.runner = Some(id);
                    id
                }
            })
        });
        let Some(id) = runner else { return };
        resume(id);
        flush_effects(ctx);
        let starved = with(|s| {
            let starved = s.runner == Some(id) && !s.exists(id);
            if starved {
                s.runner = None; // it got no stack (and failed the root with that)
            }
            starved
        });
        if starved {
            return;
        }
    }
}

/// A fiber on `stack`, to run when it is first resumed.
pub(super) fn context(stack: Stack) -> Rc<Context> {
    Context::new(stack, run_fiber)
}

/// Switches to fiber `id` until it parks or ends.
fn resume(id: TaskId) {
    let context = with(|s| {
        if s.tasks.fiber(id)?.context.is_none() {
            // Spawned fibers brought their stack; the scheduler's own (timer callbacks, promise
            // jobs, the root) take theirs now.
            let stack = if Some(id) == s.root { s.root_pool.take() } else { s.pool.take() };
            match stack {
                Ok(stack) => s.tasks.fiber_mut(id)?.context = Some(context(stack)),
                Err(e) => return Some(Err(e)),
            }
        }
        let fiber = s.tasks.fiber_mut(id)?;
        fiber.wait = Wait::Running;
        s.current = Some(id);
        Some(Ok(fiber.context.clone()?))
    });
    let context = match context {
        Some(Ok(context)) => context,
        Some(Err(e)) => return no_stack(id, e),
        None => return,
    };
    let state = context.resume();
    with(|s| {
        s.current = None;
        if let Some((id, duration)) = s.sleeper.take() {
            s.arm_sleep(id, duration);
        }
        if state == State::Done {
            if let Some((stack, lowest)) = context.take_stack() {
                let pool = if Some(id) == s.root { &mut s.root_pool } else { &mut s.pool };
                pool.give(stack, lowest);
            }
        }
    });
}

/// A fiber the scheduler started (a timer callback, promise jobs) got no stack: it fails with
/// the error, which goes where its failure would (rule 7), instead of ending the process.
#[cold]
fn no_stack(id: TaskId, error: std::io::Error) {
    let engine = with(|s| s.engine.clone());
    let ctx = engine.ctx();
    let error = Persistent::save(&ctx, stack_error(&ctx, error));
    with(|s| {
        // A job runner is tried again each turn while jobs wait: the program fails once for it.
        let runner = s.tasks.fiber(id).is_some_and(|f| f.runner);
        // A one-shot timer whose callback never ran is done all the same.
        if let Some(Entry::Timer(timer)) = s.tasks.fiber_mut(id).and_then(|f| f.entry.take()) {
            s.take_timer_callback(timer);
        }
        let outcome = if runner && std::mem::replace(&mut s.runner_starved, true) {
            Outcome::Cancelled
        } else {
            Outcome::Threw(error)
        };
        s.function_ended(id, outcome);
    });
    flush_effects(&ctx);
}

/// The error for a fiber stack that could not be allocated.
pub fn stack_error<'js>(ctx: &Ctx<'js>, error: std::io::Error) -> Value<'js> {
    let errno = error.raw_os_error().unwrap_or(libc::ENOMEM);
    let what = "a stack for a new fiber; --stack-size sets their size";
    js::errors::sys_error(ctx, errno, "mmap", js::errors::Target::What(what)).unwrap_or_else(|_| ctx.catch())
}

/// Suspends the running fiber in `wait` until something wakes it. Returns at once with
/// `Cancelled` if the fiber is cancelled and the wait is one cancellation interrupts.
///
/// This frame, and those of the ops that call it, sit under every waiting fiber, and a fiber's
/// memory is the stack pages it touched: keep them small (a fiber sleeping 20 JS calls deep
/// fits in 4 pages with 72 bytes to spare; bench/RESULTS.md).
pub fn park(wait: Wait) -> Waited {
    let context = with(|s| {
        let interruptible = matches!(wait, Wait::Sleep(_) | Wait::Join(_) | Wait::Park(_) | Wait::Yield);
        let id = match s.current {
            Some(id) if !(interruptible && s.current_cancelled()) => id,
            // Cancelled already, or not on a fiber (a bug in an op): no wait.
            _ => return Err(Waited::Cancelled),
        };
        if let Wait::Park(token) = wait {
            s.pending_token = None;
            if let Some(resume) = s.early.remove(&token) {
                return Err(waited(resume));
            }
            s.parked.insert(token, id);
        }
        match wait {
            Wait::Yield => s.ready.push_back(id),
            Wait::Drain => s.draining.push(id),
            _ => {}
        }
        if s.runner == Some(id) && wait != Wait::Idle {
            s.runner = None; // jobs continue on a new runner meanwhile
        }
        let fiber = s.tasks.fiber_mut(id).expect("the running fiber exists");
        fiber.wait = wait;
        Ok(fiber.context.clone().expect("a running fiber has its context"))
    });
    let context = match context {
        Ok(context) => context,
        Err(waited) => return not_waiting(wait, waited),
    };
    context.suspend();
    with(|s| {
        let id = s.current.expect("resumed by the scheduler");
        let fiber = s.tasks.fiber_mut(id).expect("the running fiber exists");
        waited(std::mem::replace(&mut fiber.resume, Resume::Normal))
    })
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

/// A wait that does not happen: takes back what the caller registered (a join). Out of line,
/// so that `park`'s frame (under every waiting fiber) stays small.
#[cold]
#[inline(never)]
fn not_waiting(wait: Wait, waited: Waited) -> Waited {
    if let Wait::Join(target) = wait {
        with(|s| {
            let me = s.current;
            if let Some(t) = s.tasks.fiber_mut(target) {
                t.joiners.retain(|j| Some(*j) != me);
            }
        });
    }
    waited
}

/// Waits for `promise` (any thenable) from the running fiber.
pub fn wait_promise<'js>(ctx: &Ctx<'js>, promise: Value<'js>) -> rquickjs::Result<Waited> {
    let token = with(|s| s.park_token());
    let settle = |ok: bool| {
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, value: Value<'js>| {
            let saved = Persistent::save(&ctx, value);
            let resume = if ok { Resume::Value(saved) } else { Resume::Error(saved) };
            with(|s| s.unpark(token, resume));
        })
    };
    let then: Function = match promise.as_object().map(|o| o.get::<_, Value>("then")) {
        Some(Ok(then)) if then.is_function() => then.into_function().expect("checked"),
        // Not a thenable: it is its own value, as `await` treats it.
        _ => return Ok(Waited::Value(Persistent::save(ctx, promise))),
    };
    then.call::<_, Value>((This(promise), settle(true)?, settle(false)?))?;
    Ok(park(Wait::Park(token)))
}

/// The root's wait for the main module's promise: settled already (a module without top-level
/// await), or once promise jobs have run ([`settle_main`]).
fn wait_main<'js>(ctx: &Ctx<'js>, promise: rquickjs::Promise<'js>) -> Waited {
    if let Some(outcome) = settled(ctx, &promise) {
        return waited(main_outcome(ctx, &promise, outcome));
    }
    let token = with(|s| {
        let token = s.park_token();
        s.main_token = Some(token);
        s.main_promise = Some(Persistent::save(ctx, promise));
        token
    });
    park(Wait::Park(token))
}

/// Wakes the root once the main module's promise has settled.
fn settle_main(ctx: &Ctx<'_>) {
    let Some((token, promise)) = with(|s| s.main_token.zip(s.main_promise.clone())) else { return };
    let Ok(promise) = promise.restore(ctx) else { return };
    let Some(outcome) = settled(ctx, &promise) else { return };
    let resume = main_outcome(ctx, &promise, outcome);
    with(|s| {
        s.main_promise = None;
        s.unpark(token, resume);
    });
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
            forget_rejection(ctx, promise.as_value());
            Resume::Error(Persistent::save(ctx, reason))
        }
    }
}

/// Runs promise jobs until none is left, then settles what waited for them: the main module's
/// promise, and the rejections nobody handled.
fn drain_jobs(ctx: &Ctx<'_>) {
    // After most fibers there is nothing to do: one look at the scheduler says so.
    if with(|s| s.settled()) {
        return;
    }
    run_jobs_now(ctx);
    settle_main(ctx);
    with(|s| s.report_rejections());
}

/// The entry of every fiber, on its own stack: runs its function, then records how it ended.
/// Every engine value made here is dropped before it returns. Its frame sits under every
/// frame of the fiber's function: it holds only what the call needs, and the rest is done out
/// of line.
fn run_fiber() {
    let engine = current_engine();
    let ctx = engine.ctx();
    let (id, ready) = ready(&ctx);
    let outcome = match ready {
        Ready::Function(function) => match js::engine::call(&ctx, &function) {
            Ok(value) => returned(&ctx, value),
            Err(error) => threw(&ctx, id, error, &function),
        },
        Ready::Jobs => run_jobs(&ctx, id),
        Ready::Main => run_main(&ctx, id),
        Ready::Nothing => Outcome::Cancelled,
    };
    end_fiber(&ctx, id, outcome);
}

/// What a fiber runs, looked up and ready to call.
enum Ready<'js> {
    /// A spawned fiber's function, or a timer's callback.
    Function(Function<'js>),
    Jobs,
    Main,
    Nothing,
}

#[inline(never)]
fn current_engine() -> Engine {
    with(|s| s.engine.clone())
}

/// The running fiber and what it runs.
#[inline(never)]
fn ready<'js>(ctx: &Ctx<'js>) -> (TaskId, Ready<'js>) {
    let (id, entry) = with(|s| {
        let id = s.current.expect("a fiber runs as current");
        let entry = match s.tasks.fiber_mut(id).and_then(|f| f.entry.take()) {
            Some(Entry::Timer(timer)) => s.take_timer_callback(timer).map(Entry::Function),
            entry => entry,
        };
        (id, entry)
    });
    let ready = match entry {
        Some(Entry::Function(function)) => function.restore(ctx).map_or(Ready::Nothing, Ready::Function),
        Some(Entry::Jobs) => Ready::Jobs,
        Some(Entry::Main) => Ready::Main,
        Some(Entry::Timer(_)) | None => Ready::Nothing,
    };
    (id, ready)
}

#[inline(never)]
fn end_fiber(ctx: &Ctx<'_>, id: TaskId, outcome: Outcome) {
    // A rejection that happened in this fiber and is not handled yet fails it, not whatever
    // is above it: it stays until the rejection is reported (or handled).
    if rejection_below(id) {
        park(Wait::Drain);
    }
    with(|s| s.function_ended(id, outcome));
    flush_effects(ctx);
}

#[inline(never)]
fn returned<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> Outcome {
    Outcome::Returned(Persistent::save(ctx, value))
}

#[inline(never)]
fn threw<'js>(ctx: &Ctx<'js>, id: TaskId, error: Value<'js>, function: &Function<'js>) -> Outcome {
    thrown_by(ctx, &error, function);
    classify(ctx, id, error)
}

#[inline(never)]
fn run_main(ctx: &Ctx<'_>, id: TaskId) -> Outcome {
    let Some(main) = with(|s| s.main.take()) else { return Outcome::Cancelled };
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

/// How a fiber's function ended when it threw `error`: its own cancellation (rule 6) or a
/// failure. An error made uncatchable to stop runaway code (a test's time limit) becomes an
/// ordinary one now that the fiber has unwound.
#[inline(never)]
fn classify<'js>(ctx: &Ctx<'js>, id: TaskId, error: Value<'js>) -> Outcome {
    js::engine::make_catchable(ctx, &error);
    let (cancelled, class) = with(|s| (s.is_cancelled(id), s.hooks.cancelled.clone()));
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
    let engine = with(|s| s.engine.clone());
    loop {
        loop {
            let mine = with(|s| match s.runner {
                Some(runner) if runner == id => true,
                None if s.root_end.is_none() => {
                    s.runner = Some(id);
                    true
                }
                _ => false,
            });
            if !mine {
                return Outcome::Returned(Persistent::save(ctx, Value::new_undefined(ctx.clone())));
            }
            match engine.run_job() {
                Job::None => break,
                Job::Ran => {}
                Job::Threw => report_uncaught(ctx, ctx.catch(), false),
            }
        }
        if let Waited::Cancelled = park(Wait::Idle) {
            return Outcome::Cancelled; // the program is over
        }
    }
}

/// An error no JS caller can receive ends the program: the root fails with it.
pub fn report_uncaught<'js>(ctx: &Ctx<'js>, error: Value<'js>, rejection: bool) {
    let saved = Persistent::save(ctx, error);
    with(|s| s.fail_root(saved, rejection));
}

/// Records how finished fibers ended in their `Fiber` records (lib/fiber.ts): state at index
/// 2 (1 returned, 2 failed, 3 cancelled), the value or error at 3, whether it was cancelled at 4.
/// Several errors become one `AggregateError` (rule 7).
pub fn flush_effects(ctx: &Ctx<'_>) {
    for effect in with(|s| s.take_effects()) {
        let Ok(record) = effect.record.restore(ctx) else { continue };
        let (state, value) = match effect.settled {
            Settled::Returned(value) => (1, restore(ctx, value)),
            Settled::Failed(mut errors) if errors.len() == 1 => (2, restore(ctx, errors.remove(0))),
            Settled::Failed(errors) => (2, aggregate(ctx, errors)),
            Settled::Cancelled => (3, Value::new_undefined(ctx.clone())),
        };
        let fields =
            [(2, Value::new_int(ctx.clone(), state)), (3, value), (4, Value::new_bool(ctx.clone(), effect.cancelled))];
        for (index, field) in fields {
            if !js::engine::set_index(ctx, &record, index, field) {
                ctx.catch();
            }
        }
    }
}

/// `new AggregateError(errors, "N fibers failed")`.
fn aggregate<'js>(ctx: &Ctx<'js>, errors: Vec<Saved>) -> Value<'js> {
    let count = errors.len();
    let errors: Vec<Value> = errors.into_iter().map(|e| restore(ctx, e)).collect();
    let made = ctx
        .globals()
        .get::<_, rquickjs::function::Constructor>("AggregateError")
        .and_then(|c| c.construct::<_, Value>((errors, format!("{count} fibers failed"))));
    made.unwrap_or_else(|_| ctx.catch())
}
