//! `stat`, `lstat`, `File.stat()` and `exists`, through the ring's `statx`.

use std::rc::Rc;

use rquickjs::{convert::List, Ctx, Result, Value};

use super::sys_error;
use crate::{
    js::path::PathArg,
    ops::{
        io::{cancelled, closed},
        process::cwd,
    },
    scheduler::wait,
    uring::{fd::Fd, op::Statx},
};

/// `[size, mode, mtimeMs, atimeMs, ctimeMs, birthtimeMs (NaN when unknown)]`; lib/fs.ts makes
/// the `Stat` (the file type is in `mode`).
type StatList = List<(f64, u32, f64, f64, f64, f64)>;

/// Runs a statx: its result (a negative errno) and what the kernel filled in.
fn statx(ctx: &Ctx<'_>, op: Statx) -> Result<(i32, libc::statx)> {
    let (done, op) = wait(op).map_err(|_| cancelled(ctx))?;
    Ok((done.result, *op.buf()))
}

/// statx of `path` (of a final symlink itself with `nofollow`).
fn of_path(ctx: &Ctx<'_>, path: &PathArg, nofollow: bool) -> Result<(i32, libc::statx)> {
    statx(ctx, Statx::path(cwd::dir(ctx), path.c.clone(), nofollow))
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
    let (result, buf) = of_path(&ctx, &path, !follow)?;
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
    let (result, _) = of_path(&ctx, &path, false)?;
    match result {
        r if r >= 0 => Ok(true),
        r if r == -libc::ENOENT || r == -libc::ENOTDIR => Ok(false),
        r => Err(sys_error(&ctx, r, "stat", &[&path])),
    }
}

/// The `S_IFMT` bits of `path` (of a final symlink itself unless `follow`); 0 when unknown.
pub fn file_type(ctx: &Ctx<'_>, path: &PathArg, follow: bool) -> Result<u32> {
    let (result, buf) = of_path(ctx, path, !follow)?;
    Ok(if result < 0 { 0 } else { buf.stx_mode as u32 & libc::S_IFMT })
}

/// statx of an open file: the result (negative errno) and the buffer.
pub fn of_file(ctx: &Ctx<'_>, fd: &Rc<Fd>) -> Result<(i32, libc::statx)> {
    statx(ctx, Statx::file(fd).ok_or_else(|| closed(ctx, "fstat"))?)
}
