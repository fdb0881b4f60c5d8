//! The console's output: synchronous writes to fds 1 and 2, so that `console.log` is ordered
//! with the process's other output and nothing is lost at `process.exit()`; each write in the
//! console's turn, so that threads' lines never interleave.

use rquickjs::{Ctx, FromJs, Result, Value};

use super::broken_pipe;
use crate::{
    js::{
        bytes::with_bytes,
        errors::{throw_sys, Target},
        strings::Usv,
    },
    ops::Ops,
    uring::sys::process::{is_terminal, write_console},
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_io_write_sync", op_io_write_sync)?;
    ops.add("op_io_isatty", is_terminal)
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
        write_console(fd, text.as_bytes())
    } else {
        with_bytes(&ctx, &data, |bytes| write_console(fd, bytes))?
    };
    match result {
        Ok(()) => Ok(()),
        Err(libc::EPIPE) => Err(broken_pipe(&ctx)),
        Err(errno) => Err(throw_sys(&ctx, errno, "write", Target::None)),
    }
}
