//! Ops of `uringy:fs`. Every operation io_uring has goes through the ring — openat, read,
//! write, statx, fsync, ftruncate, unlinkat, renameat, mkdirat, symlinkat — so a fiber doing
//! file IO never stops the others. The few io_uring lacks are direct system calls, each
//! bounded: reading a directory (`getdents64`, one call per 32 KiB of entries), `readlink`,
//! `realpath`, `fchmodat` and `lseek` — metadata calls that do not wait for data.

mod dir;
mod file;
mod path;
mod stat;

use std::{ffi::CString, rc::Rc, time::Duration};

use io_uring::{opcode, types};
use rquickjs::{Ctx, Result, Value};

pub use self::file::write_array;
use self::path::PathArg;
use super::{
    descriptor,
    errors::{self, Target},
    io::{cancelled, failed},
    Ops,
};
use crate::{
    scheduler::{io, sleep, Waited},
    uring::{fd::Fd, Keep},
};
use stat::file_type;

/// `AT_FDCWD`: paths are relative to the working directory.
const AT_CWD: i32 = libc::AT_FDCWD;

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
        return failed(ctx, result, syscall);
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
            if let Ok(name) = path::name_to_js(ctx, path.c.as_bytes()) {
                let _ = object.set(key, name);
            }
        }
    }
    ctx.throw(error)
}

/// The open file a `Descriptor` argument holds.
fn file_of<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Rc<Fd>> {
    descriptor::get(value.as_raw()).ok_or_else(|| errors::type_error(ctx, "expected an open file"))
}

/// Submits a path operation (its entry built from the boxed paths) and waits; its result.
fn path_op(ctx: &Ctx<'_>, paths: Box<[CString; 2]>, entry: io_uring::squeue::Entry) -> Result<i32> {
    let keep = Keep { extra: Some(paths), ..Keep::default() };
    // SAFETY: the entry points into the boxed paths, which the operation owns.
    let (done, _) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
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
        let paths = Box::new([path.c.clone(), CString::default()]);
        let entry = opcode::OpenAt::new(types::Fd(AT_CWD), paths[0].as_ptr())
            .flags(attempt | libc::O_CLOEXEC | if nonblock { libc::O_NONBLOCK } else { 0 })
            .mode(mode)
            .build();
        let result = path_op(ctx, paths, entry)?;
        if result >= 0 {
            let fd = Fd::new(result, false);
            if nonblock && flags & libc::O_NONBLOCK == 0 {
                let status = flags & (libc::O_APPEND | libc::O_DIRECT | libc::O_NOATIME | libc::O_ASYNC);
                // SAFETY: a plain syscall on the descriptor just opened.
                unsafe { libc::fcntl(result, libc::F_SETFL, status) };
            }
            return Ok(fd);
        }
        if result == -libc::ENOENT && attempt != flags {
            attempt = flags; // not there: create it
            continue;
        }
        if !(result == -libc::ENXIO && writes && file_type(ctx, path.c.clone(), true)? == libc::S_IFIFO) {
            return Err(sys_error(ctx, result, "open", &[path]));
        }
        if let Waited::Cancelled = sleep(ctx, pause) {
            return Err(cancelled(ctx));
        }
        pause = (pause * 2).min(Duration::from_millis(64));
    }
}

fn op_fs_open<'js>(ctx: Ctx<'js>, path: PathArg, flags: i32, mode: u32) -> Result<Value<'js>> {
    let fd = open(&ctx, &path, flags, mode)?;
    descriptor::wrap(&ctx, fd)
}

/// One directory; lib/fs.ts makes `recursive` out of it.
fn op_fs_mkdir(ctx: Ctx<'_>, path: PathArg, mode: u32) -> Result<()> {
    let paths = Box::new([path.c.clone(), CString::default()]);
    let entry = opcode::MkDirAt::new(types::Fd(AT_CWD), paths[0].as_ptr()).mode(mode).build();
    match path_op(&ctx, paths, entry)? {
        r if r < 0 => Err(sys_error(&ctx, r, "mkdir", &[&path])),
        _ => Ok(()),
    }
}

/// Removes a file, or (`dir`) an empty directory.
fn op_fs_unlink(ctx: Ctx<'_>, path: PathArg, dir: bool) -> Result<()> {
    let paths = Box::new([path.c.clone(), CString::default()]);
    let flags = if dir { libc::AT_REMOVEDIR } else { 0 };
    let entry = opcode::UnlinkAt::new(types::Fd(AT_CWD), paths[0].as_ptr()).flags(flags).build();
    match path_op(&ctx, paths, entry)? {
        r if r < 0 => Err(sys_error(&ctx, r, if dir { "rmdir" } else { "unlink" }, &[&path])),
        _ => Ok(()),
    }
}

fn op_fs_rename(ctx: Ctx<'_>, from: PathArg, to: PathArg) -> Result<()> {
    let paths = Box::new([from.c.clone(), to.c.clone()]);
    let entry =
        opcode::RenameAt::new(types::Fd(AT_CWD), paths[0].as_ptr(), types::Fd(AT_CWD), paths[1].as_ptr()).build();
    match path_op(&ctx, paths, entry)? {
        r if r < 0 => Err(sys_error(&ctx, r, "rename", &[&from, &to])),
        _ => Ok(()),
    }
}

/// Makes `path` a symbolic link to `target` (which need not exist).
fn op_fs_symlink(ctx: Ctx<'_>, target: PathArg, path: PathArg) -> Result<()> {
    let paths = Box::new([target.c.clone(), path.c.clone()]);
    let entry = opcode::SymlinkAt::new(types::Fd(AT_CWD), paths[0].as_ptr(), paths[1].as_ptr()).build();
    match path_op(&ctx, paths, entry)? {
        r if r < 0 => Err(sys_error(&ctx, r, "symlink", &[&target, &path])),
        _ => Ok(()),
    }
}
