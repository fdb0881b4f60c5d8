//! Ops of `uringy:io` and the console: reading and writing descriptors through the ring, and
//! the console's synchronous writes.

mod console;
mod stream;

use rquickjs::{Ctx, Result};

use super::{
    errors::{throw_sys, Target},
    Ops,
};
use crate::{engine::host::host, scheduler::signals};

pub use stream::{cancelled, closed, failed};

/// A write to standard output or error found its reader gone (`prog | head -1`). As in Go:
/// unless the program waits for or listens to SIGPIPE, it ends quietly, as SIGPIPE ends a
/// program that has not changed it (the runtime ignores SIGPIPE so that sockets report EPIPE);
/// if it does, the write throws EPIPE.
pub fn broken_pipe(ctx: &Ctx<'_>) -> rquickjs::Error {
    if !host(ctx).scheduler.borrow().subscribed(libc::SIGPIPE) {
        signals::default_action(libc::SIGPIPE);
    }
    throw_sys(ctx, libc::EPIPE, "write", Target::None)
}

pub fn register(ops: &Ops<'_>) -> Result<()> {
    console::register(ops)?;
    stream::register(ops)
}
