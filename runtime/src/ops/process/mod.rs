//! What `process` knows about the process: arguments, environment, the runtime's working
//! directory ([`cwd`]), exit, and signals ([`signal`]).

pub mod cwd;
pub mod signal;

use rquickjs::{Ctx, Object, Result};

use super::Ops;
use crate::uring::sys;

pub fn register(ops: &Ops<'_>, argv: Vec<String>) -> Result<()> {
    ops.add("op_process_argv", move || argv.clone())?;
    ops.add("op_process_env", op_process_env)?;
    ops.add("op_process_exit", op_process_exit)?;
    ops.add("op_process_pid", std::process::id)?;
    ops.add("op_process_version", || env!("CARGO_PKG_VERSION"))?;
    cwd::register(ops)?;
    signal::register(ops)
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

/// Ends the process at once with `code`. Output already written is not buffered in the
/// runtime, so none is lost.
fn op_process_exit(code: i32) {
    sys::process::exit_now(code & 0xff)
}
