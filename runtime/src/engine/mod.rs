//! One runtime: the engine, the state each layer keeps in it, the standard library's
//! bootstrap, and the root fiber running the main module under the scheduler, from start to
//! exit status. [`run`] is what the command line does; [`Runtime`] is the same, step by step,
//! for Rust code that drives a runtime (tests, a compiled app, one runtime per thread).

mod report;
pub mod threads;

use std::{
    cell::Cell,
    env,
    path::PathBuf,
    rc::Rc,
    time::{Duration, Instant},
};

use rquickjs::{Context, Ctx, Function, Module, Object, Persistent, Value};

use crate::{
    fiber::{self, engine_state},
    js::{self, engine::Engine, userdata},
    loader::{self, resolve::Internals},
    ops,
    scheduler::{self, End, MainFn, RootEnd, Scheduler},
    uring::{fd, sys, Ring, Stats},
};
use report::Report;

/// What the runtime runs.
#[derive(Clone)]
pub enum Entry {
    File(PathBuf),
    Code(String),
    /// A test file, whose registered tests then run (`uringy test`).
    Test(PathBuf),
}

#[derive(Clone)]
pub struct Options {
    /// Bytes of stack for each spawned fiber (`--stack-size`).
    pub stack_size: usize,
    /// Under `--threads`, this runtime's thread and the others' mailboxes.
    pub seat: Option<ops::thread::Seat>,
}

impl Options {
    /// One runtime, alone in its process.
    pub fn alone(stack_size: usize) -> Options {
        Options { stack_size, seat: None }
    }
}

/// Runs `entry` to completion; returns the exit status.
///
/// Like Node, a finished program exits without freeing its heap, which takes time and changes
/// nothing. `URINGY_CHECK_LEAKS=1` tears the runtime down instead: quickjs then aborts if any
/// object is still referenced, and every descriptor and operation must be gone, which the
/// tests use to prove nothing leaks.
pub fn run(entry: Entry, args: Vec<String>, options: Options) -> u8 {
    let mut runtime = match Runtime::new(entry, args, options) {
        Ok(runtime) => runtime,
        Err(status) => return status,
    };
    let status = runtime.run(None).unwrap_or(1);
    if env::var_os("URINGY_CHECK_LEAKS").is_none() {
        runtime.leave();
        return status;
    }
    match runtime.close() {
        Ok(()) => status,
        Err(leak) => {
            eprintln!("uringy: {leak}");
            3
        }
    }
}

/// How long a runtime torn down while its program runs gives its fibers to unwind.
const UNWIND: Duration = Duration::from_secs(5);

/// A runtime, set up and with its main module's fiber started.
pub struct Runtime {
    main: String,
    is_test: bool,
    /// Set once the program has ended.
    status: Option<u8>,
    rt: Option<rquickjs::Runtime>,
    context: Option<Context>,
    closed: bool,
}

impl Runtime {
    /// Sets up a runtime for `entry` (with `args` after it in `process.argv`), loads the
    /// standard library and starts the main module's fiber; `Err` with the exit status when
    /// that fails (the reason is printed).
    pub fn new(entry: Entry, args: Vec<String>, options: Options) -> Result<Runtime, u8> {
        sys::process::raise_descriptor_limit();
        let ring = Ring::new().map_err(|e| {
            eprintln!("{e}");
            2
        })?;
        let main = match &entry {
            Entry::File(path) | Entry::Test(path) => match loader::resolve::entry(&absolute(path)) {
                Ok(path) => path.to_string_lossy().into_owned(),
                Err(why) => {
                    eprintln!("error: {why}");
                    return Err(1);
                }
            },
            Entry::Code(_) => absolute(&PathBuf::from("[eval]")).to_string_lossy().into_owned(),
        };
        let exe = env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "uringy".into());
        let argv: Vec<String> = [exe, main.clone()].into_iter().chain(args).collect();
        let Ok(rt) = rquickjs::Runtime::new() else {
            eprintln!("error: cannot create the JavaScript engine (out of memory)");
            return Err(1);
        };
        let Ok(context) = Context::full(&rt) else {
            eprintln!("error: cannot create the JavaScript context (out of memory)");
            return Err(1);
        };
        let is_test = matches!(entry, Entry::Test(_));
        let mut runtime = Runtime { main: main.clone(), is_test, status: None, rt: None, context: None, closed: false };
        let deadline: Rc<Cell<Option<Instant>>> = Rc::default();
        if is_test {
            let deadline = deadline.clone();
            // One-shot: the uncatchable error it raises skips `finally` blocks that would clear it.
            rt.set_interrupt_handler(Some(Box::new(move || {
                let passed = deadline.get().is_some_and(|d| Instant::now() >= d);
                if passed {
                    deadline.set(None);
                }
                passed
            })));
        }
        rt.set_host_promise_rejection_tracker(Some(Box::new(scheduler::track_rejection)));
        let internals = if is_test { Internals::ForTests } else { Internals::Hidden };
        let natives: Vec<(&'static str, loader::NativeModule)> = vec![("uringy:ops", ops::declare)];
        let loader = loader::install(&rt, loader::State::new(&main, internals, natives));
        let started = context.with(|ctx| {
            if let Err(e) = engine_state::verify(&ctx) {
                eprintln!(
                    "error: this uringy does not match its JavaScript engine ({e}); rebuild it from a clean tree"
                );
                return Err(2);
            }
            let thread = options.seat.as_ref().map(|seat| seat.id);
            let stored = loader::attach(&ctx, loader)
                && userdata::store(&ctx, ops::State::new(argv, deadline, options.seat.clone()))
                && userdata::store(&ctx, Report { main: main.clone(), format_error: None, thread })
                && js::native::register(&ctx).is_ok();
            if !stored {
                eprintln!("error: cannot set up the JavaScript context (out of memory)");
                return Err(1);
            }
            let engine = Engine::of(&ctx);
            fiber::context::init(&engine);
            scheduler::install(Scheduler::new(engine, ring, options.stack_size));
            if options.seat.is_some() {
                let inbox = userdata::with::<ops::State, _>(&ctx, |state| state.thread.clone());
                if let Some(Err(errno)) = inbox.map(|inbox| ops::thread::open(&inbox)) {
                    let why = sys::process::describe(errno);
                    report::print(&ctx, &format!("error: cannot open the thread's mailbox: {why}"));
                    return Err(1);
                }
            }
            match bootstrap(&ctx) {
                Ok(()) => {
                    scheduler::with(|s| s.start_root(main_fn(entry, main.clone())));
                    Ok(())
                }
                Err(()) => {
                    let error = ctx.catch();
                    report::uncaught(&ctx, error, false);
                    Err(1)
                }
            }
        });
        runtime.rt = Some(rt);
        runtime.context = Some(context);
        started.map(|()| runtime)
    }

    /// Runs the program until it ends (its exit status) or, with `until`, until then (`None`:
    /// it is still running, and `run` goes on with it).
    pub fn run(&mut self, until: Option<Instant>) -> Option<u8> {
        if self.status.is_none() {
            let context = self.context.as_ref()?;
            let (main, is_test) = (&self.main, self.is_test);
            self.status = context.with(|ctx| match scheduler::run(&ctx, until) {
                End::Paused => None,
                end => Some(finish(&ctx, end, main, is_test)),
            });
        }
        self.status
    }

    /// Leaves the runtime as it is, for the process to end without freeing it (quickly, as
    /// Node does): nothing of it is torn down, now or by the thread's exit.
    pub fn leave(self) {
        std::mem::forget(scheduler::uninstall());
        std::mem::forget(fiber::context::release());
        std::mem::forget(self);
    }

    /// Tears the runtime down, as dropping it does, and says what it found left over: a
    /// descriptor still open, or an operation the kernel did not give back.
    pub fn close(mut self) -> Result<(), String> {
        let stats = self.teardown()?;
        let open = fd::open_count();
        if open > 0 {
            return Err(format!("{open} descriptors were left open at exit"));
        }
        match stats {
            Some(stats) if stats.completed != stats.submitted => Err(format!(
                "{} of {} io_uring operations had not completed when the ring was torn down",
                stats.submitted - stats.completed,
                stats.submitted
            )),
            _ => Ok(()),
        }
    }

    /// Lets go of everything in order: a program still running is cancelled and its fibers
    /// unwind (running their `finally` blocks, letting go of what their frames hold); then the
    /// scheduler's tasks and the layers' state (engine values, before the engine goes), the
    /// ring (once the kernel has given back every operation), the fibers' hold on the engine,
    /// and the engine.
    fn teardown(&mut self) -> Result<Option<Stats>, String> {
        if std::mem::replace(&mut self.closed, true) {
            return Ok(None);
        }
        let mut unwound = true;
        if let Some(context) = &self.context {
            context.with(|ctx| {
                if self.status.is_none() && scheduler::try_with(|s| s.cancel_root()) == Some(true) {
                    unwound = !matches!(scheduler::run(&ctx, Some(Instant::now() + UNWIND)), End::Paused);
                }
                scheduler::try_with(|s| s.release());
                userdata::remove::<ops::State>(&ctx);
                userdata::remove::<Report>(&ctx);
            });
        }
        let ring = scheduler::uninstall().map(Scheduler::into_ring);
        let stats = ring.map(Ring::close);
        drop(fiber::context::release());
        if !unwound {
            // A fiber that ignores its cancellation (a loop inside `shield`) still holds engine
            // values on its stack: the engine is left allocated rather than freed under them.
            std::mem::forget(self.context.take());
            std::mem::forget(self.rt.take());
            return Err(format!(
                "a fiber did not end within {UNWIND:?} of its cancellation; the runtime's memory is not freed"
            ));
        }
        drop(self.context.take());
        drop(self.rt.take());
        Ok(stats)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Err(leak) = self.teardown() {
            eprintln!("uringy: {leak}");
        }
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads the standard library's bootstrap, which installs the globals.
fn bootstrap(ctx: &Ctx<'_>) -> Result<(), ()> {
    let ns = loader::require_builtin(ctx, "uringy:internal/bootstrap").map_err(|_| ())?;
    let format: Function = ns.get("formatError").map_err(|_| ())?;
    let (main, thread) = userdata::with::<Report, _>(ctx, |r| (r.main.clone(), r.thread)).unwrap_or_default();
    userdata::store(ctx, Report { main, format_error: Some(Persistent::save(ctx, format)), thread });
    Ok(())
}

/// What the root fiber runs: the main module (or `-e` code, or a test file and its tests).
fn main_fn(entry: Entry, main: String) -> MainFn {
    match entry {
        Entry::File(_) => Box::new(move |ctx| Module::import(ctx, main.as_str()).map(|p| p.into_value())),
        Entry::Code(code) => Box::new(move |ctx| {
            loader::set_eval_source(ctx, &main, &code);
            let code = loader::to_javascript(ctx, &main, code)?;
            let module = loader::declare(ctx, &main, code)?;
            let meta = module.meta()?;
            meta.set("main", true)?;
            meta.set("url", loader::file_url(&main))?;
            module.eval().map(|(_, promise)| promise.into_value())
        }),
        Entry::Test(_) => Box::new(move |ctx| {
            let harness = loader::require_builtin(ctx, "uringy:internal/test_run")?;
            let start: Function = harness.get("start")?;
            start.call::<_, Value>((main.as_str(),))
        }),
    }
}

/// The exit status, once the root fiber is done (or nothing can run any more).
fn finish(ctx: &Ctx<'_>, end: End, main: &str, is_test: bool) -> u8 {
    match end {
        End::Root(RootEnd::Returned(value)) => {
            let value = scheduler::restore(ctx, value);
            if let Some(summary) = value.as_object().filter(|_| is_test) {
                return test_summary(summary);
            }
            exit_code(ctx)
        }
        End::Root(RootEnd::Cancelled) => exit_code(ctx),
        End::Root(RootEnd::Failed(errors, rejection)) => {
            for error in errors {
                let error = scheduler::restore(ctx, error);
                report::uncaught(ctx, error, rejection);
            }
            1
        }
        End::Stuck { main_waiting: true } => {
            report::print(
                ctx,
                &format!(
                    "error: top-level await in {main} never settled: it waits for a promise that nothing will resolve"
                ),
            );
            1
        }
        End::Stuck { main_waiting: false } => {
            report::print(
                ctx,
                &format!(
                    "error: every fiber of {main} is waiting and nothing is left that could wake one \
                     (a join, channel, message or promise that nothing will complete)"
                ),
            );
            1
        }
        End::Broken(error) => {
            report::print(ctx, &error.to_string());
            2
        }
        End::Paused => 1,
    }
}

fn test_summary(summary: &Object<'_>) -> u8 {
    let count = |k: &str| summary.get::<_, u32>(k).unwrap_or(0);
    let failed = count("failed");
    println!("{}{} {} {}", crate::test_runner::SUMMARY_TAG, count("passed"), failed, count("skipped"));
    u8::from(failed > 0)
}

/// `process.exitCode`, as the program left it.
fn exit_code(ctx: &Ctx<'_>) -> u8 {
    let code = ctx
        .globals()
        .get::<_, Object>("process")
        .and_then(|p| p.get::<_, Option<i32>>("exitCode"))
        .ok()
        .flatten()
        .unwrap_or(0);
    (code & 0xff) as u8
}
