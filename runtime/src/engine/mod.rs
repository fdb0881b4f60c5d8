//! One runtime: the engine, its host state, the standard library's bootstrap, and the root
//! fiber running the main module under the scheduler, from start to exit status.

pub mod host;
pub mod promise;
mod report;

use std::{cell::Cell, env, path::PathBuf, rc::Rc, time::Instant};

use rquickjs::{qjs, Context, Ctx, Function, Module, Object, Persistent, Runtime, Value};

use crate::{
    fiber::engine_state,
    loader::{self, resolve::Internals},
    scheduler::{self, End, MainFn, RootEnd, Scheduler},
    uring::Ring,
};
use host::{host, Host};

/// What the runtime runs.
pub enum Entry {
    File(PathBuf),
    Code(String),
    /// A test file, whose registered tests then run (`uringy test`).
    Test(PathBuf),
}

pub struct Options {
    /// Bytes of stack for each spawned fiber (`--stack-size`).
    pub stack_size: usize,
}

/// Runs `entry` to completion; returns the exit status.
pub fn run(entry: Entry, args: Vec<String>, options: Options) -> u8 {
    raise_descriptor_limit();
    let ring = match Ring::new() {
        Ok(ring) => ring,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let main = match &entry {
        Entry::File(path) | Entry::Test(path) => match loader::resolve::entry(&absolute(path)) {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(why) => {
                eprintln!("error: {why}");
                return 1;
            }
        },
        Entry::Code(_) => absolute(&PathBuf::from("[eval]")).to_string_lossy().into_owned(),
    };
    let exe = env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "uringy".into());
    let argv: Vec<String> = [exe, main.clone()].into_iter().chain(args).collect();

    let Ok(rt) = Runtime::new() else {
        eprintln!("error: cannot create the JavaScript engine (out of memory)");
        return 1;
    };
    let Ok(context) = Context::full(&rt) else {
        eprintln!("error: cannot create the JavaScript context (out of memory)");
        return 1;
    };
    let is_test = matches!(entry, Entry::Test(_));
    let internals = if is_test { Internals::ForTests } else { Internals::Hidden };
    let (resolver, module_loader) = loader::ModuleLoader::pair(&main, internals);
    rt.set_loader(resolver, module_loader);
    rt.set_host_promise_rejection_tracker(Some(Box::new(host::track_rejection)));
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
    let status = context.with(|ctx| {
        let raw_rt = ctx_runtime(&ctx);
        // SAFETY: the runtime is live, idle and used by this thread only.
        if let Err(e) = unsafe { engine_state::check(raw_rt) }.and_then(|()| check_frame(&ctx)) {
            eprintln!("error: this uringy does not match its JavaScript engine ({e}); rebuild it from a clean tree");
            return 2;
        }
        // SAFETY: the context and runtime outlive the scheduler, which the host drops first.
        let scheduler = unsafe { Scheduler::new(raw_rt, ctx.as_raw(), ring, options.stack_size) };
        let state = Host::new(argv, scheduler, deadline);
        if !host::install(&ctx, state) {
            return 1;
        }
        let status = match bootstrap(&ctx) {
            Ok(()) => {
                host(&ctx).scheduler.borrow_mut().start_root(main_fn(entry, main.clone()));
                let end = scheduler::run(&ctx);
                finish(&ctx, end, &main, is_test)
            }
            Err(()) => {
                let error = ctx.catch();
                report::uncaught(&ctx, error, false);
                1
            }
        };
        host(&ctx).release();
        host::uninstall();
        status
    });
    // Like Node, a finished program exits without freeing its heap, which takes time and
    // changes nothing. URINGY_CHECK_LEAKS=1 tears the engine down instead: quickjs then aborts
    // if any object is still referenced, which the tests use to prove nothing leaks.
    if env::var_os("URINGY_CHECK_LEAKS").is_none() {
        std::mem::forget(context);
        std::mem::forget(rt);
        return status;
    }
    drop(context);
    drop(rt);
    // Every socket and file is closed once the engine has freed the objects holding them.
    let open = crate::uring::fd::open_count();
    if open > 0 {
        eprintln!("uringy: {open} descriptors were left open at exit");
        return 3;
    }
    status
}

/// Servers hold a descriptor per connection: like Go and Bun, the soft limit on open files is
/// raised to the hard limit (often 1024 → 524288), so a program is not cut off at 1024 by a
/// default it never chose.
fn raise_descriptor_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain syscalls on a struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn ctx_runtime(ctx: &Ctx<'_>) -> *mut qjs::JSRuntime {
    // SAFETY: a live context's runtime.
    unsafe { qjs::JS_GetRuntime(ctx.as_raw().as_ptr()) }
}

/// The frame-chain half of the engine layout check: from a native function called by JS,
/// the chain must point at the calling JS frame.
fn check_frame(ctx: &Ctx<'_>) -> Result<(), String> {
    let rt = ctx_runtime(ctx);
    // SAFETY: runs inside the native call below, on this thread.
    let probe = Function::new(ctx.clone(), move || unsafe { engine_state::check_frame(rt) }.err().unwrap_or_default());
    let caller = ctx.eval::<Function, _>("(probe) => probe()");
    match (probe, caller) {
        (Ok(probe), Ok(caller)) => match caller.call::<_, String>((probe,)) {
            Ok(problem) if problem.is_empty() => Ok(()),
            Ok(problem) => Err(problem),
            Err(e) => Err(e.to_string()),
        },
        _ => Err("cannot call into the engine".into()),
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads the standard library's bootstrap, which installs the globals.
fn bootstrap(ctx: &Ctx<'_>) -> Result<(), ()> {
    let ns = loader::require_builtin(ctx, "uringy:internal/bootstrap").map_err(|_| ())?;
    let format: Function = ns.get("formatError").map_err(|_| ())?;
    *host(ctx).format_error.borrow_mut() = Some(Persistent::save(ctx, format));
    Ok(())
}

/// What the root fiber runs: the main module (or `-e` code, or a test file and its tests).
fn main_fn(entry: Entry, main: String) -> MainFn {
    match entry {
        Entry::File(_) => Box::new(move |ctx| Module::import(ctx, main.as_str()).map(|p| p.into_value())),
        Entry::Code(code) => Box::new(move |ctx| {
            *host(ctx).eval_source.borrow_mut() = Some((main.clone(), code.clone()));
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
            let value = host::restore(ctx, value);
            if let Some(summary) = value.as_object().filter(|_| is_test) {
                return test_summary(summary);
            }
            exit_code(ctx)
        }
        End::Root(RootEnd::Cancelled) => exit_code(ctx),
        End::Root(RootEnd::Failed(errors, rejection)) => {
            for error in errors {
                let error = host::restore(ctx, error);
                report::uncaught(ctx, error, rejection);
            }
            1
        }
        End::Stuck { main_waiting: true } => {
            eprintln!(
                "error: top-level await in {main} never settled: it waits for a promise that nothing will resolve"
            );
            1
        }
        End::Stuck { main_waiting: false } => {
            eprintln!(
                "error: every fiber of {main} is waiting and nothing is left that could wake one \
                 (a join, channel or promise that nothing will complete)"
            );
            1
        }
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
