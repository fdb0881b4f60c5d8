//! What `process` knows about the process: arguments, environment, directory, exit.

use rquickjs::{Ctx, Exception, Object, Result};

use super::Ops;
use crate::engine::host::host;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_process_argv", op_process_argv)?;
    ops.add("op_process_env", op_process_env)?;
    ops.add("op_process_exit", op_process_exit)?;
    ops.add("op_process_cwd", op_process_cwd)?;
    ops.add("op_process_chdir", op_process_chdir)?;
    ops.add("op_process_pid", std::process::id)?;
    ops.add("op_process_version", || env!("CARGO_PKG_VERSION"))
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
        .map_err(|e| Exception::throw_message(&ctx, &format!("process.cwd() failed: {e}")))
}

fn op_process_chdir(ctx: Ctx<'_>, dir: String) -> Result<()> {
    std::env::set_current_dir(&dir)
        .map_err(|e| Exception::throw_message(&ctx, &format!("process.chdir({dir:?}) failed: {e}")))
}
