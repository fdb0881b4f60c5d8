//! Ops of `uringy:io` and the console: reading and writing descriptors through the ring
//! ([`read`], [`write`], [`copy`]), the console's synchronous writes ([`console`]), and what
//! every op makes of an operation that failed.

mod console;
mod copy;
pub mod read;
pub mod write;

use std::rc::Rc;

use rquickjs::{Ctx, Result, Value};

use super::Ops;
use crate::{
    js::{
        errors::{self, throw_sys, Target},
        native,
    },
    scheduler::{throw_cancelled, with},
    uring::{fd::Fd, sys::signal},
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    console::register(ops)?;
    read::register(ops)?;
    write::register(ops)?;
    copy::register(ops)?;
    ops.add("op_io_close", op_io_close)?;
    ops.add("op_io_std", op_io_std)
}

/// The error for an operation that ended with `result` (a negative errno) in `syscall` on
/// `target`: `Cancelled` when the fiber's cancellation cancelled it, a closed-descriptor error
/// when `close()` did, else the system's error.
#[cold]
#[inline(never)]
pub fn failed(ctx: &Ctx<'_>, result: i32, syscall: &str, target: Target<'_>) -> rquickjs::Error {
    // An operation a kernel worker was running when it was cancelled ends with the kernel's
    // internal "restart" codes (ERESTARTSYS, 512–516), which are no errno a program knows.
    let result = if (512..=516).contains(&-result) { -libc::EINTR } else { result };
    if result == -libc::ECANCELED || result == -libc::EINTR {
        if with(|s| s.current_cancelled()) {
            return throw_cancelled(ctx);
        }
        if result == -libc::ECANCELED {
            return closed(ctx, syscall);
        }
    }
    throw_sys(ctx, -result, syscall, target)
}

/// `Cancelled`, for a wait that did not happen.
#[cold]
#[inline(never)]
pub fn cancelled(ctx: &Ctx<'_>) -> rquickjs::Error {
    throw_cancelled(ctx)
}

/// EBADF: the descriptor was closed.
#[cold]
#[inline(never)]
pub fn closed(ctx: &Ctx<'_>, syscall: &str) -> rquickjs::Error {
    throw_sys(ctx, libc::EBADF, syscall, Target::None)
}

/// The descriptor a native object holds, or a TypeError naming what was expected.
pub fn descriptor<'js>(ctx: &Ctx<'js>, value: &Value<'js>, what: &str) -> Result<Rc<Fd>> {
    native::get::<Fd>(value).ok_or_else(|| errors::type_error(ctx, &format!("expected {what}")))
}

/// A write to standard output or error found its reader gone (`prog | head -1`). As in Go:
/// unless the program waits for or listens to SIGPIPE, it ends quietly, as SIGPIPE ends a
/// program that has not changed it (the runtime ignores SIGPIPE so that sockets report EPIPE);
/// if it does, the write throws EPIPE.
pub fn broken_pipe(ctx: &Ctx<'_>) -> rquickjs::Error {
    if !signal::subscribed(libc::SIGPIPE) {
        signal::die_of(libc::SIGPIPE);
    }
    throw_sys(ctx, libc::EPIPE, "write", Target::None)
}

/// Closes a descriptor for JS now; operations in flight on it are cancelled, and it is
/// released when the last of them has completed.
pub fn close(fd: &Fd) {
    let raw = fd.raw();
    if fd.close() {
        with(|s| s.ring.cancel_fd(raw));
    }
}

fn op_io_close<'js>(ctx: Ctx<'js>, descriptor: Value<'js>) -> Result<()> {
    close(&*self::descriptor(&ctx, &descriptor, "a descriptor")?);
    Ok(())
}

/// A descriptor for standard stream 0, 1 or 2, which closing leaves open for the process.
fn op_io_std(ctx: Ctx<'_>, n: i32) -> Result<Value<'_>> {
    native::wrap(&ctx, Fd::borrowed(n))
}
