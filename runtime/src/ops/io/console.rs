//! The console's output: synchronous writes to fds 1 and 2, so that `console.log` is ordered
//! with the process's other output and nothing is lost at `process.exit()`.

use rquickjs::{Ctx, FromJs, Result, Value};

use super::broken_pipe;
use crate::ops::{
    errors::{throw_sys, Target},
    util::{with_bytes, Usv},
    Ops,
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_io_write_sync", op_io_write_sync)?;
    ops.add("op_io_isatty", op_io_isatty)
}

/// Whether `fd` is a terminal, like `isatty(3)`; console colors depend on it.
fn op_io_isatty(fd: i32) -> bool {
    // SAFETY: isatty only inspects the descriptor number.
    unsafe { libc::isatty(fd) == 1 }
}

/// Writes a string or bytes to fd 1 or 2, all of it, before returning — like `write(2)` in a
/// loop. Console output stays ordered with the process's other output and survives
/// `process.exit()`. A reader that went away (`prog | head -1`) ends the program as SIGPIPE
/// would ([`broken_pipe`]); other errors (ENOSPC on a full disk) are thrown with their code.
fn op_io_write_sync<'js>(ctx: Ctx<'js>, fd: i32, data: Value<'js>) -> Result<()> {
    if fd != 1 && fd != 2 {
        return Err(throw_sys(&ctx, libc::EBADF, "write", Target::None));
    }
    let result = if data.is_string() {
        let text = Usv::from_js(&ctx, data)?;
        write_all(fd, text.as_bytes())
    } else {
        with_bytes(&ctx, &data, |bytes| write_all(fd, bytes))?
    };
    match result {
        Ok(()) => Ok(()),
        Err(libc::EPIPE) => Err(broken_pipe(&ctx)),
        Err(errno) => Err(throw_sys(&ctx, errno, "write", Target::None)),
    }
}

/// Unbuffered, so nothing is lost when the process exits at once; the errno of a failure.
fn write_all(fd: i32, mut bytes: &[u8]) -> std::result::Result<(), i32> {
    while !bytes.is_empty() {
        // SAFETY: writes from memory we borrow to a descriptor the process keeps open.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n >= 0 {
            bytes = &bytes[n as usize..];
            continue;
        }
        match std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) {
            libc::EINTR => {}
            // Someone else made the descriptor non-blocking (a shared terminal or pipe): the
            // console is synchronous, so wait until it takes more.
            libc::EAGAIN => {
                let mut ready = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
                // SAFETY: one pollfd we own.
                unsafe { libc::poll(&mut ready, 1, -1) };
            }
            errno => return Err(errno),
        }
    }
    Ok(())
}
