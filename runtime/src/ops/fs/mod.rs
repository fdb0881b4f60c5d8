//! Ops of `uringy:fs`. Every operation io_uring has goes through the ring — openat, read,
//! write, statx, fsync, ftruncate, unlinkat, renameat, mkdirat, symlinkat — so a fiber doing
//! file IO never stops the others. The few io_uring lacks are direct system calls, each
//! bounded (`uring::sys::fs`): reading a directory, `readlink`, `realpath`, `fchmodat` and
//! `lseek` — metadata calls that do not wait for data. Relative paths start from the
//! runtime's working directory (`process::cwd`).

mod dir;
mod file;
mod stat;

use std::{rc::Rc, time::Duration};

use rquickjs::{Ctx, Result, Value};

use super::{
    io::{cancelled, descriptor, failed},
    process::cwd,
    Ops,
};
use crate::{
    js::{
        errors::{self, Target},
        native,
        path::{name_to_js, PathArg},
    },
    scheduler::{sleep, wait, Waited},
    uring::{
        fd::Fd,
        op::{MkDirAt, OpenAt, Operation, RenameAt, SymlinkAt, UnlinkAt},
        sys,
    },
};
use stat::file_type;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fs_open", op_fs_open)?;
    ops.add("op_fs_stat", stat::op_fs_stat)?;
    ops.add("op_fs_fstat", stat::op_fs_fstat)?;
    ops.add("op_fs_exists", stat::op_fs_exists)?;
    ops.add("op_fs_mkdir", op_fs_mkdir)?;
    ops.add("op_fs_unlink", op_fs_unlink)?;
    ops.add("op_fs_rename", op_fs_rename)?;
    ops.add("op_fs_symlink", op_fs_symlink)?;
    dir::register(ops)?;
    file::register(ops)
}

/// The error for `result` (a negative errno) of `syscall` on `paths` (none, one, or a source
/// and a destination). The message shows the names as text; the `path` and `dest` properties
/// are the names as JS gave them, so a name that is not UTF-8 comes back as the same string.
fn sys_error(ctx: &Ctx<'_>, result: i32, syscall: &str, paths: &[&PathArg]) -> rquickjs::Error {
    if result == -libc::ECANCELED || result == -libc::EINTR || (512..=516).contains(&-result) {
        // Cancelled in the kernel: by the fiber's cancellation (Cancelled) or a close (EBADF).
        return failed(ctx, result, syscall, Target::None);
    }
    let target = match paths {
        [] => Target::None,
        [path] => Target::Path(&path.text),
        [from, to, ..] => Target::Paths(&from.text, &to.text),
    };
    let error = match errors::sys_error(ctx, -result, syscall, target) {
        Ok(error) => error,
        Err(e) => return e,
    };
    if let Some(object) = error.as_object() {
        for (key, path) in ["path", "dest"].into_iter().zip(paths) {
            if let Ok(name) = name_to_js(ctx, path.c.as_bytes()) {
                let _ = object.set(key, name);
            }
        }
    }
    ctx.throw(error)
}

/// The open file a `Descriptor` argument holds.
fn file_of<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Rc<Fd>> {
    descriptor(ctx, value, "an open file")
}

/// Runs an operation that returns only a result (a descriptor, or 0), and waits for it.
fn run(ctx: &Ctx<'_>, op: impl Operation) -> Result<i32> {
    let (done, _) = wait(op).map_err(|_| cancelled(ctx))?;
    Ok(done.result)
}

/// Opens `path` with open(2) `flags` and `mode`: its descriptor.
///
/// io_uring runs an open that creates or truncates on one of its kernel workers (the rest it
/// tries at once, in the submitting call). So an open that would create a file tries first
/// without `O_CREAT`, and creates only when the file is not there: replacing a file is then
/// opened at once, without the hand-off.
///
/// Opens for writing are made with `O_NONBLOCK` (cleared once open). A FIFO with no reader
/// would otherwise hold a kernel worker until one came — not cancellable, and a handful of
/// them starve every other file operation of the thread. Non-blocking, it fails with ENXIO at
/// once; it is then retried, sleeping in between (1 ms, doubling to 64 ms), until a reader
/// comes, as open(2) waits — so the wait is the fiber's own and is cancelled like any other.
pub fn open(ctx: &Ctx<'_>, path: &PathArg, flags: i32, mode: u32) -> Result<Rc<Fd>> {
    let creates = flags & libc::O_CREAT != 0 && flags & libc::O_EXCL == 0;
    let writes = flags & libc::O_ACCMODE != libc::O_RDONLY;
    let mut attempt = if creates { flags & !libc::O_CREAT } else { flags };
    let mut pause = Duration::from_millis(1);
    loop {
        let nonblock = writes || attempt & (libc::O_CREAT | libc::O_TRUNC) != 0;
        let open_flags = attempt | if nonblock { libc::O_NONBLOCK } else { 0 };
        let result = run(ctx, OpenAt::new(cwd::dir(ctx), path.c.clone(), open_flags, mode))?;
        if result >= 0 {
            let fd = Fd::new(result, false);
            if nonblock && flags & libc::O_NONBLOCK == 0 {
                let status = flags & (libc::O_APPEND | libc::O_DIRECT | libc::O_NOATIME | libc::O_ASYNC);
                let _ = sys::fs::set_status_flags(result, status);
            }
            return Ok(fd);
        }
        if result == -libc::ENOENT && attempt != flags {
            attempt = flags; // not there: create it
            continue;
        }
        if !(result == -libc::ENXIO && writes && file_type(ctx, path, true)? == libc::S_IFIFO) {
            return Err(sys_error(ctx, result, "open", &[path]));
        }
        if let Waited::Cancelled = sleep(pause) {
            return Err(cancelled(ctx));
        }
        pause = (pause * 2).min(Duration::from_millis(64));
    }
}

fn op_fs_open<'js>(ctx: Ctx<'js>, path: PathArg, flags: i32, mode: u32) -> Result<Value<'js>> {
    let fd = open(&ctx, &path, flags, mode)?;
    native::wrap(&ctx, fd)
}

/// One directory; lib/fs.ts makes `recursive` out of it.
fn op_fs_mkdir(ctx: Ctx<'_>, path: PathArg, mode: u32) -> Result<()> {
    match run(&ctx, MkDirAt::new(cwd::dir(&ctx), path.c.clone(), mode))? {
        r if r < 0 => Err(sys_error(&ctx, r, "mkdir", &[&path])),
        _ => Ok(()),
    }
}

/// Removes a file, or (`dir`) an empty directory.
fn op_fs_unlink(ctx: Ctx<'_>, path: PathArg, dir: bool) -> Result<()> {
    let flags = if dir { libc::AT_REMOVEDIR } else { 0 };
    match run(&ctx, UnlinkAt::new(cwd::dir(&ctx), path.c.clone(), flags))? {
        r if r < 0 => Err(sys_error(&ctx, r, if dir { "rmdir" } else { "unlink" }, &[&path])),
        _ => Ok(()),
    }
}

fn op_fs_rename(ctx: Ctx<'_>, from: PathArg, to: PathArg) -> Result<()> {
    match run(&ctx, RenameAt::new(cwd::dir(&ctx), from.c.clone(), to.c.clone()))? {
        r if r < 0 => Err(sys_error(&ctx, r, "rename", &[&from, &to])),
        _ => Ok(()),
    }
}

/// Makes `path` a symbolic link to `target` (which need not exist).
fn op_fs_symlink(ctx: Ctx<'_>, target: PathArg, path: PathArg) -> Result<()> {
    match run(&ctx, SymlinkAt::new(cwd::dir(&ctx), target.c.clone(), path.c.clone()))? {
        r if r < 0 => Err(sys_error(&ctx, r, "symlink", &[&target, &path])),
        _ => Ok(()),
    }
}
