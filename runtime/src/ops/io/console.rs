//! The console's output: synchronous writes to fds 1 and 2, so that `console.log` is ordered
//! with the process's other output and nothing is lost at `process.exit()`.

use crate::ops::errors;
use std::{fs::File, io::Write, mem::ManuallyDrop, os::fd::FromRawFd};

use rquickjs::{Ctx, FromJs, Result, Value};

use crate::ops::{
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
/// `process.exit()`.
fn op_io_write_sync<'js>(ctx: Ctx<'js>, fd: i32, data: Value<'js>) -> Result<()> {
    let result = if data.is_string() {
        let text = Usv::from_js(&ctx, data)?;
        write_all(fd, text.as_bytes())
    } else {
        with_bytes(&ctx, &data, |bytes| write_all(fd, bytes))?
    };
    match result {
        // A closed pipe (`uringy app.ts | head`) is not the program's error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(errors::plain_error(&ctx, &format!("write to fd {fd} failed: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// Unbuffered, so nothing is lost when the process exits at once.
fn write_all(fd: i32, bytes: &[u8]) -> std::io::Result<()> {
    if fd != 1 && fd != 2 {
        return Err(std::io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: fds 1 and 2 belong to the process for its whole life; ManuallyDrop keeps the
    // File from closing them.
    let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
    file.write_all(bytes)
}
