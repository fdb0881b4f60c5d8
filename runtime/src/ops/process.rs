//! What `process` knows about the process: arguments, environment, directory, exit.

use crate::ops::errors;
use rquickjs::{Ctx, Function, Object, Persistent, Result};

use super::{
    errors::{throw_sys, Target},
    fiber::cancel_mark,
    Ops,
};
use crate::{
    engine::host::host,
    scheduler::{park, task::Wait, Waited},
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_process_argv", op_process_argv)?;
    ops.add("op_process_env", op_process_env)?;
    ops.add("op_process_exit", op_process_exit)?;
    ops.add("op_process_cwd", op_process_cwd)?;
    ops.add("op_process_chdir", op_process_chdir)?;
    ops.add("op_process_pid", std::process::id)?;
    ops.add("op_process_version", || env!("CARGO_PKG_VERSION"))?;
    ops.add("op_process_wait_signal", op_process_wait_signal)?;
    ops.add("op_process_listen_signal", op_process_listen_signal)?;
    ops.add("op_process_signal_dispatcher", op_process_signal_dispatcher)?;
    ops.add("op_process_take_signals", op_process_take_signals)
}

/// Waits until one of `signals` (numbers) arrives: its number, or the cancel mark.
fn op_process_wait_signal<'js>(ctx: Ctx<'js>, signals: Vec<i32>) -> Result<rquickjs::Value<'js>> {
    let (token, routed) = {
        let mut s = host(&ctx).scheduler.borrow_mut();
        let token = s.park_token();
        (token, s.wait_signal(token, &signals))
    };
    routed.map_err(|e| signal_error(&ctx, e))?;
    match park(&ctx, Wait::Park(token)) {
        Waited::Code(signo) => Ok(rquickjs::Value::new_int(ctx.clone(), signo)),
        _ => {
            host(&ctx).scheduler.borrow_mut().unwait_signal(token);
            Ok(cancel_mark(&ctx))
        }
    }
}

/// `onSignal` subscribes (`delta` 1) and its unsubscribe (-1).
fn op_process_listen_signal(ctx: Ctx<'_>, signo: i32, delta: i32) -> Result<()> {
    let routed = host(&ctx).scheduler.borrow_mut().listen_signal(signo, delta);
    routed.map_err(|e| signal_error(&ctx, e))
}

/// lib/process.ts's function that runs the listeners of signals that arrived.
fn op_process_signal_dispatcher<'js>(ctx: Ctx<'js>, dispatcher: Function<'js>) {
    host(&ctx).scheduler.borrow_mut().set_signal_dispatcher(Persistent::save(&ctx, dispatcher));
}

fn op_process_take_signals(ctx: Ctx<'_>) -> Vec<i32> {
    host(&ctx).scheduler.borrow_mut().take_arrived_signals()
}

fn signal_error(ctx: &Ctx<'_>, e: std::io::Error) -> rquickjs::Error {
    throw_sys(ctx, e.raw_os_error().unwrap_or(libc::EINVAL), "signalfd", Target::None)
}

fn op_process_argv(ctx: Ctx<'_>) -> Vec<String> {
    host(&ctx).argv.clone()
}

/// A snapshot of the environment as an object (names and values that are not UTF-8 are
/// converted lossily).
fn op_process_env(ctx: Ctx<'_>) -> Result<Object<'_>> {
    let env = Object::new(ctx)?;
    for (key, value) in std::env::vars_os() {
        env.set(key.to_string_lossy().as_ref(), value.to_string_lossy().as_ref())?;
    }
    Ok(env)
}

/// Ends the process at once with `code`, like `exit(3)`. Output already written is not
/// buffered in the runtime, so none is lost.
fn op_process_exit(code: i32) {
    std::process::exit(code & 0xff)
}

fn op_process_cwd(ctx: Ctx<'_>) -> Result<String> {
    std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .map_err(|e| errors::plain_error(&ctx, &format!("process.cwd() failed: {e}")))
}

fn op_process_chdir(ctx: Ctx<'_>, dir: String) -> Result<()> {
    std::env::set_current_dir(&dir)
        .map_err(|e| errors::plain_error(&ctx, &format!("process.chdir({dir:?}) failed: {e}")))
}
