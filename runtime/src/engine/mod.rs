//! One runtime: the engine, its host state, the standard library's bootstrap, the main module
//! and the event loop, from start to exit status.

mod event_loop;
pub mod host;
mod report;
pub mod timers;

use std::{env, path::PathBuf};

use rquickjs::{Context, Ctx, Function, Module, Object, Persistent, Promise, Runtime, Value};

use crate::{
    loader::{self, resolve::Internals},
    uring::Ring,
};
use event_loop::Uncaught;
use host::{host, Host};

/// What the runtime runs.
pub enum Entry {
    File(PathBuf),
    Code(String),
    /// A test file, followed by its registered tests.
    Test(PathBuf),
}

/// Runs `entry` to completion; returns the exit status.
pub fn run(entry: Entry, args: Vec<String>) -> u8 {
    let ring = match Ring::new() {
        Ok(ring) => ring,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let main = match &entry {
        Entry::File(path) | Entry::Test(path) => match std::fs::canonicalize(path) {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(e) => {
                eprintln!("error: Module not found: {} ({e})", absolute(path).display());
                return 1;
            }
        },
        Entry::Code(_) => absolute(&PathBuf::from("[eval]")).to_string_lossy().into_owned(),
    };
    let exe = env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "uringy".into());
    let argv = [exe, main.clone()].into_iter().chain(args).collect();

    let (Ok(rt), state) = (Runtime::new(), Host::new(argv, ring)) else {
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
    rt.set_host_promise_rejection_tracker(Some(Box::new(event_loop::track_rejection)));
    if is_test {
        let deadline = state.deadline.clone();
        rt.set_interrupt_handler(Some(Box::new(move || {
            deadline.get().is_some_and(|d| std::time::Instant::now() >= d)
        })));
    }
    context.with(|ctx| {
        if ctx.store_userdata(state).is_err() {
            return 1;
        }
        let status = match bootstrap(&ctx) {
            Ok(()) => match entry {
                Entry::Test(_) => run_tests(&ctx, &main),
                entry => run_main(&ctx, entry, &main),
            },
            Err(error) => {
                report::uncaught(&ctx, host::restore(&ctx, error), false);
                1
            }
        };
        host(&ctx).release();
        status
    })
}

fn absolute(path: &std::path::Path) -> PathBuf {
    env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads the standard library's bootstrap, which installs the globals.
fn bootstrap(ctx: &Ctx<'_>) -> Result<(), host::Saved> {
    let ns = import(ctx, "uringy:internal/bootstrap")?;
    let format: Function = ns.get("formatError").map_err(|_| saved_exception(ctx))?;
    *host(ctx).format_error.borrow_mut() = Some(Persistent::save(ctx, format));
    Ok(())
}

/// Imports and evaluates a module that has no top-level await; returns its namespace.
fn import<'js>(ctx: &Ctx<'js>, name: &str) -> Result<Object<'js>, host::Saved> {
    let promise = loader::import_as_host(ctx, name).map_err(|_| saved_exception(ctx))?;
    settle(ctx, &promise).map_err(|_| saved_exception(ctx))?;
    match promise.result::<Object>() {
        Some(Ok(ns)) => Ok(ns),
        _ => Err(Persistent::save(ctx, promise_reason(ctx, &promise))),
    }
}

fn saved_exception(ctx: &Ctx<'_>) -> host::Saved {
    Persistent::save(ctx, ctx.catch())
}

/// Runs microtasks until `promise` is no longer pending (or none are left).
fn settle<'js>(ctx: &Ctx<'js>, promise: &Promise<'js>) -> Result<(), Uncaught> {
    mark_handled(ctx, promise);
    event_loop::run_microtasks(ctx)
}

/// Attaches a no-op rejection handler: the host reports this promise's failure itself, so it
/// must not also count as an unhandled rejection.
fn mark_handled<'js>(ctx: &Ctx<'js>, promise: &Promise<'js>) {
    if let Ok(then) = promise.then() {
        let noop = Function::new(ctx.clone(), || ()).ok();
        let _ =
            then.call::<_, Value>((rquickjs::function::This(promise.clone()), Value::new_undefined(ctx.clone()), noop));
    }
}

fn promise_reason<'js>(ctx: &Ctx<'js>, promise: &Promise<'js>) -> Value<'js> {
    match promise.result::<Value>() {
        Some(Err(_)) => ctx.catch(),
        _ => Value::new_undefined(ctx.clone()),
    }
}

fn run_main(ctx: &Ctx<'_>, entry: Entry, main: &str) -> u8 {
    let promise = match entry {
        Entry::Code(code) => eval_code(ctx, main, code),
        _ => Module::import(ctx, main).map_err(|_| ()),
    };
    let promise = match promise {
        Ok(promise) => promise,
        Err(()) => return fail(ctx, Uncaught::Thrown(saved_exception(ctx))),
    };
    mark_handled(ctx, &promise);
    if let Err(uncaught) = event_loop::run(ctx) {
        return fail(ctx, uncaught);
    }
    match promise.state() {
        rquickjs::promise::PromiseState::Rejected => {
            let reason = promise_reason(ctx, &promise);
            report::uncaught(ctx, reason, false);
            1
        }
        rquickjs::promise::PromiseState::Pending => {
            eprintln!(
                "error: top-level await in {main} never settled: it waits for a promise that nothing will resolve"
            );
            1
        }
        rquickjs::promise::PromiseState::Resolved => exit_code(ctx),
    }
}

fn eval_code<'js>(ctx: &Ctx<'js>, name: &str, code: String) -> Result<Promise<'js>, ()> {
    let code = loader::to_javascript(ctx, name, code).map_err(|_| ())?;
    let module = Module::declare(ctx.clone(), name, code).map_err(|_| ())?;
    if let Ok(meta) = module.meta() {
        let _ = meta.set("main", true);
        let _ = meta.set("url", loader::file_url(name));
    }
    module.eval().map(|(_, promise)| promise).map_err(|_| ())
}

fn fail(ctx: &Ctx<'_>, uncaught: Uncaught) -> u8 {
    let (saved, in_promise) = match uncaught {
        Uncaught::Thrown(e) => (e, false),
        Uncaught::Rejection(e) => (e, true),
    };
    report::uncaught(ctx, host::restore(ctx, saved), in_promise);
    1
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

/// The test-file mode of `uringy test`: evaluate the file (which registers tests), then run
/// them. An error no test can catch, or code running past its time limit, fails the test
/// that was running instead of the whole file.
fn run_tests(ctx: &Ctx<'_>, main: &str) -> u8 {
    let harness = match import(ctx, "uringy:internal/test_run") {
        Ok(ns) => ns,
        Err(e) => return fail(ctx, Uncaught::Thrown(e)),
    };
    let (Ok(start), Ok(on_uncaught)) = (harness.get::<_, Function>("start"), harness.get::<_, Function>("onUncaught"))
    else {
        return fail(ctx, Uncaught::Thrown(saved_exception(ctx)));
    };
    let promise: Promise = match start.call((main,)) {
        Ok(p) => p,
        Err(_) => return fail(ctx, Uncaught::Thrown(saved_exception(ctx))),
    };
    mark_handled(ctx, &promise);
    loop {
        let uncaught = match event_loop::run(ctx) {
            Ok(()) => break,
            Err(u) => u,
        };
        let timed_out = host(ctx).deadline.take().is_some_and(|d| std::time::Instant::now() >= d);
        let saved = match &uncaught {
            Uncaught::Thrown(e) | Uncaught::Rejection(e) => e.clone(),
        };
        let error = host::restore(ctx, saved);
        if !matches!(on_uncaught.call::<_, bool>((error, timed_out)), Ok(true)) {
            return fail(ctx, uncaught);
        }
    }
    match promise.result::<Object>() {
        Some(Ok(summary)) => {
            let count = |k: &str| summary.get::<_, u32>(k).unwrap_or(0);
            let failed = count("failed");
            println!("{}{} {} {}", crate::test_runner::SUMMARY_TAG, count("passed"), failed, count("skipped"));
            u8::from(failed > 0)
        }
        Some(Err(_)) => fail(ctx, Uncaught::Thrown(saved_exception(ctx))),
        None => {
            eprintln!("error: the tests of {main} never finished: a test waits for something that never happens");
            1
        }
    }
}
