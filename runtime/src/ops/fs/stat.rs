//! `stat`, `lstat`, `File.stat()` and `exists`, through the ring's `statx`.

use std::{ffi::CString, rc::Rc};

use io_uring::{opcode, types};
use rquickjs::{convert::List, Ctx, Result, Value};

use super::{path::PathArg, sys_error, AT_CWD};
use crate::{
    ops::io::cancelled,
    scheduler::io,
    uring::{fd::Fd, Keep},
};

/// `[size, mode, mtimeMs, atimeMs, ctimeMs, birthtimeMs (NaN when unknown)]`; lib/fs.ts makes
/// the `Stat` (the file type is in `mode`).
type StatList = List<(f64, u32, f64, f64, f64, f64)>;

/// A statx buffer and the path it is about, boxed together for the kernel.
struct Request {
    buf: libc::statx,
    path: CString,
}

/// statx of `path` (following a final symlink unless `nofollow`), or of descriptor `fd` itself.
fn statx(ctx: &Ctx<'_>, path: CString, fd: Option<&Rc<Fd>>, nofollow: bool) -> Result<(i32, libc::statx)> {
    // SAFETY: all-zero is a valid statx buffer.
    let mut request = Box::new(Request { buf: unsafe { std::mem::zeroed() }, path });
    let mut flags = if nofollow { libc::AT_SYMLINK_NOFOLLOW } else { 0 };
    let dirfd = match fd {
        Some(fd) => {
            flags |= libc::AT_EMPTY_PATH;
            fd.get().unwrap_or(-1)
        }
        None => AT_CWD,
    };
    let buf = &mut request.buf as *mut libc::statx as *mut types::statx;
    let entry = opcode::Statx::new(types::Fd(dirfd), request.path.as_ptr(), buf)
        .flags(flags)
        .mask(libc::STATX_BASIC_STATS | libc::STATX_BTIME)
        .build();
    let keep = Keep { fd: fd.map(|f| f.begin()), extra: Some(request), ..Keep::default() };
    // SAFETY: the entry points into the boxed request, which the operation owns.
    let (done, keep) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
    let request = keep.extra.and_then(|r| r.downcast::<Request>().ok()).expect("the request comes back");
    Ok((done.result, request.buf))
}

fn ms(t: libc::statx_timestamp) -> f64 {
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

fn to_list(s: &libc::statx) -> StatList {
    let birth = if s.stx_mask & libc::STATX_BTIME != 0 { ms(s.stx_btime) } else { f64::NAN };
    List((s.stx_size as f64, s.stx_mode as u32, ms(s.stx_mtime), ms(s.stx_atime), ms(s.stx_ctime), birth))
}

/// `stat` (`follow`) or `lstat` of a path.
pub fn op_fs_stat(ctx: Ctx<'_>, path: PathArg, follow: bool) -> Result<StatList> {
    let (result, buf) = statx(&ctx, path.c.clone(), None, !follow)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, if follow { "stat" } else { "lstat" }, &[&path]));
    }
    Ok(to_list(&buf))
}

/// `File.stat()`.
pub fn op_fs_fstat<'js>(ctx: Ctx<'js>, file: Value<'js>) -> Result<StatList> {
    let fd = super::file_of(&ctx, &file)?;
    let (result, buf) = of_file(&ctx, &fd)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "fstat", &[]));
    }
    Ok(to_list(&buf))
}

/// Whether `path` exists (a dangling symlink does not); errors other than "no such file"
/// (a permission problem, say) are thrown, not taken for "no".
pub fn op_fs_exists(ctx: Ctx<'_>, path: PathArg) -> Result<bool> {
    let (result, _) = statx(&ctx, path.c.clone(), None, false)?;
    match result {
        r if r >= 0 => Ok(true),
        r if r == -libc::ENOENT || r == -libc::ENOTDIR => Ok(false),
        r => Err(sys_error(&ctx, r, "stat", &[&path])),
    }
}

/// The `S_IFMT` bits of `path` (of a final symlink itself unless `follow`); 0 when unknown.
pub fn file_type(ctx: &Ctx<'_>, path: CString, follow: bool) -> Result<u32> {
    let (result, buf) = statx(ctx, path, None, !follow)?;
    Ok(if result < 0 { 0 } else { buf.stx_mode as u32 & libc::S_IFMT })
}

/// statx of an open file: the result (negative errno) and the buffer.
pub fn of_file(ctx: &Ctx<'_>, fd: &Rc<Fd>) -> Result<(i32, libc::statx)> {
    statx(ctx, CString::default(), Some(fd), false)
}
