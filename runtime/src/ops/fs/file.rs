//! Whole-file reads and writes, `copyFile`, and `File`'s positioned reads and writes, seeking,
//! syncing and truncating. Big files move in chunks of at most 1 MiB, one operation per
//! scheduler turn, so that a fiber reading 1 GiB from the page cache (which the kernel copies
//! within the submitting call) never holds the thread for more than a fraction of a
//! millisecond: other fibers and timers run between the chunks.

use std::rc::Rc;

use rquickjs::{Ctx, Result, Value};

use super::{file_of, open, run, stat::of_file, sys_error};
use crate::{
    js::{
        bytes::{uint8_array_len, uint8_array_of, with_uint8_array},
        errors::{self, reserve},
        path::PathArg,
    },
    ops::{
        io::{
            cancelled, closed,
            write::{write_all, Source, CHUNK},
        },
        Ops,
    },
    scheduler::wait,
    uring::{
        fd::Fd,
        op::{Fsync, Ftruncate, Read, CURRENT},
        sys,
    },
};

/// The longest array the engine makes (2 GiB − 1).
const MAX_ARRAY: u64 = i32::MAX as u64;
/// What a whole-file read asks for first: most files fit, and a short read ends it.
const FIRST_READ: usize = 64 * 1024;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fs_read_file", op_fs_read_file)?;
    ops.add("op_fs_write_file", op_fs_write_file)?;
    ops.add("op_fs_copy_file", op_fs_copy_file)?;
    ops.add("op_fs_read_at", op_fs_read_at)?;
    ops.add("op_fs_write_at", op_fs_write_at)?;
    ops.add("op_fs_seek", op_fs_seek)?;
    ops.add("op_fs_sync", op_fs_sync)?;
    ops.add("op_fs_truncate", op_fs_truncate)
}

/// Reads at most `len` bytes (at most a chunk) at `offset` onto the end of `buf`: the bytes
/// read, or -errno.
fn read_into(ctx: &Ctx<'_>, fd: &Rc<Fd>, buf: &mut Vec<u8>, len: usize, offset: u64) -> Result<i32> {
    let len = len.min(CHUNK);
    if buf.capacity() - buf.len() < len {
        reserve(ctx, buf, len, "a read")?;
    }
    let op = Read::new(fd, std::mem::take(buf), len, offset).ok_or_else(|| closed(ctx, "read"))?;
    let (done, op) = wait(op).map_err(|_| cancelled(ctx))?;
    *buf = op.into_buf(done);
    Ok(done.result)
}

/// A `Uint8Array` of the bytes read. A small file read into a 64 KiB buffer keeps only what it
/// needs, and the buffer's memory goes back to the allocator for the next read.
fn into_uint8_array<'js>(ctx: &Ctx<'js>, mut bytes: Vec<u8>) -> Result<Value<'js>> {
    if bytes.capacity() - bytes.len() > 4096 {
        bytes.shrink_to_fit();
    }
    uint8_array_of(ctx, bytes)
}

/// Reads a file whole: until a read returns nothing, so a file that grows or shrinks while
/// being read gives what was there as the reads went by. Most files are small: a first read of
/// 64 KiB, and a 1-byte read that finds the end, make three waits with the open. (Linking the
/// reads to the open in one submission saves two waits, but a linked read of a FIFO that waits
/// for a writer cannot be cancelled; rule 5 comes first.)
fn op_fs_read_file<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let fd = open(&ctx, &path, libc::O_RDONLY, 0)?;
    let mut buf = Vec::new();
    let n = read_into(&ctx, &fd, &mut buf, FIRST_READ, CURRENT)?;
    if n < 0 {
        return Err(sys_error(&ctx, n, "read", &[&path]));
    }
    if n as usize == FIRST_READ {
        return read_rest(&ctx, &path, &fd, buf);
    }
    let mut probe = Vec::with_capacity(1);
    match read_into(&ctx, &fd, &mut probe, 1, CURRENT)? {
        0 => into_uint8_array(&ctx, buf),
        n if n < 0 => Err(sys_error(&ctx, n, "read", &[&path])),
        _ => {
            buf.extend_from_slice(&probe);
            read_rest(&ctx, &path, &fd, buf)
        }
    }
}

/// Reads the rest of a file that did not fit its first read.
fn read_rest<'js>(ctx: &Ctx<'js>, path: &PathArg, fd: &Rc<Fd>, start: Vec<u8>) -> Result<Value<'js>> {
    // One buffer of the file's size (and a byte to see the end), allocated once.
    let (result, stat) = of_file(ctx, fd)?;
    if result >= 0 && stat.stx_size > MAX_ARRAY {
        return Err(too_big(ctx, path));
    }
    let size = if result >= 0 { stat.stx_size as usize } else { 0 };
    let mut buf = Vec::new();
    reserve(ctx, &mut buf, size.max(start.len()) + 1, &format!("reading '{}'", path.text))?;
    buf.extend_from_slice(&start);
    drop(start);
    loop {
        // The spare byte past the expected size asks only whether the file ended there; a file
        // that grew (or whose size was not known) is read on 64 KiB at a time.
        let ask = match buf.capacity() - buf.len() {
            0 => FIRST_READ,
            spare => spare.min(CHUNK),
        };
        let n = read_into(ctx, fd, &mut buf, ask, CURRENT)?;
        if n < 0 {
            return Err(sys_error(ctx, n, "read", &[path]));
        }
        if n == 0 {
            break;
        }
        if buf.len() as u64 > MAX_ARRAY {
            return Err(too_big(ctx, path)); // it grew while being read
        }
    }
    into_uint8_array(ctx, buf)
}

#[cold]
fn too_big(ctx: &Ctx<'_>, path: &PathArg) -> rquickjs::Error {
    let message = format!(
        "'{}' is larger than the largest Uint8Array (2 GiB − 1 bytes): read it with open() and readAt()",
        path.text
    );
    errors::range_error(ctx, &message)
}

/// Writes all of `data` to `path` (created with `mode`), replacing it or (`append`) at its end,
/// or throws: a short write is retried, and an error (ENOSPC) is thrown, never hidden.
///
/// A replaced file is written over from the start and then cut to the new length, rather than
/// opened with O_TRUNC: rewriting a file of the same size then frees and allocates no blocks,
/// which makes the common overwrite several times faster on ext4.
fn op_fs_write_file<'js>(ctx: Ctx<'js>, path: PathArg, data: Value<'js>, append: bool, mode: u32) -> Result<()> {
    let flags = libc::O_WRONLY | libc::O_CREAT | if append { libc::O_APPEND } else { 0 };
    let fd = open(&ctx, &path, flags, mode)?;
    let start = if append { CURRENT } else { 0 };
    let written = write_all(&ctx, &fd, &Source::Array(&data), start)?
        .map_err(|errno| sys_error(&ctx, -errno, "write", &[&path]))?;
    if !append {
        // EINVAL: not a regular file (a device, a pipe), which has no length to cut.
        match truncate(&ctx, &fd, written as u64)? {
            r if r < 0 && r != -libc::EINVAL => return Err(sys_error(&ctx, r, "ftruncate", &[&path])),
            _ => {}
        }
    }
    Ok(())
}

/// Copies `from` to `to` (created or replaced, with exactly `from`'s permissions) through the
/// ring in 1 MiB chunks: the bytes never reach JS. Copying a file onto itself leaves it intact.
fn op_fs_copy_file(ctx: Ctx<'_>, from: PathArg, to: PathArg) -> Result<()> {
    let source = open(&ctx, &from, libc::O_RDONLY, 0)?;
    let (result, stat) = of_file(&ctx, &source)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "stat", &[&from]));
    }
    if stat.stx_mode as u32 & libc::S_IFMT == libc::S_IFDIR {
        return Err(sys_error(&ctx, -libc::EISDIR, "copyfile", &[&from]));
    }
    let mode = stat.stx_mode as u32 & 0o7777;
    // Not O_TRUNC: the target may be the source itself (under another name).
    let target = open(&ctx, &to, libc::O_WRONLY | libc::O_CREAT, mode)?;
    let (result, target_stat) = of_file(&ctx, &target)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "stat", &[&to]));
    }
    let same = |s: &libc::statx| (s.stx_dev_major, s.stx_dev_minor, s.stx_ino);
    if same(&stat) == same(&target_stat) {
        return Ok(());
    }
    let mut buf = Vec::new();
    reserve(&ctx, &mut buf, CHUNK, "copying a file")?;
    let mut copied = 0u64;
    loop {
        buf.clear();
        let n = read_into(&ctx, &source, &mut buf, CHUNK, CURRENT)?;
        if n < 0 {
            return Err(sys_error(&ctx, n, "read", &[&from]));
        }
        if n == 0 {
            break;
        }
        let written = write_all(&ctx, &target, &Source::Bytes(&buf), copied)?
            .map_err(|errno| sys_error(&ctx, -errno, "write", &[&to]))?;
        copied += written as u64;
    }
    let result = truncate(&ctx, &target, copied)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "ftruncate", &[&to]));
    }
    // The mode given to open is cut by the umask and ignored for an existing file: set it.
    // (fchmod never waits for data; io_uring has no operation for it.)
    let raw = target.get().ok_or_else(|| closed(&ctx, "chmod"))?;
    sys::fs::fchmod(raw, mode).map_err(|errno| sys_error(&ctx, -errno, "chmod", &[&to]))
}

/// Reads into `target` at `offset` (the file position is not moved): bytes read, 0 at end.
fn op_fs_read_at<'js>(ctx: Ctx<'js>, file: Value<'js>, target: Value<'js>, offset: f64) -> Result<usize> {
    let fd = file_of(&ctx, &file)?;
    let len = uint8_array_len(&ctx, &target)?;
    let mut buf = Vec::new();
    let n = read_into(&ctx, &fd, &mut buf, len, offset as u64)?;
    if n < 0 {
        return Err(sys_error(&ctx, n, "read", &[]));
    }
    // The array may have changed while the read waited: it gets what fits now.
    with_uint8_array(&ctx, &target, |array| {
        let copied = buf.len().min(array.len());
        array[..copied].copy_from_slice(&buf[..copied]);
        copied
    })
}

/// Writes all of `data` at `offset` (the file position is not moved): its length.
fn op_fs_write_at<'js>(ctx: Ctx<'js>, file: Value<'js>, data: Value<'js>, offset: f64) -> Result<usize> {
    let fd = file_of(&ctx, &file)?;
    write_all(&ctx, &fd, &Source::Array(&data), offset as u64)?.map_err(|errno| sys_error(&ctx, -errno, "write", &[]))
}

/// Moves the file position (`whence` as lseek's); the new position. Never waits.
fn op_fs_seek<'js>(ctx: Ctx<'js>, file: Value<'js>, offset: f64, whence: i32) -> Result<f64> {
    let fd = file_of(&ctx, &file)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "seek"))?;
    let at = sys::fs::seek(raw, offset as i64, whence).map_err(|errno| sys_error(&ctx, -errno, "seek", &[]))?;
    Ok(at as f64)
}

fn op_fs_sync<'js>(ctx: Ctx<'js>, file: Value<'js>) -> Result<()> {
    let fd = file_of(&ctx, &file)?;
    match run(&ctx, Fsync::new(&fd).ok_or_else(|| closed(&ctx, "fsync"))?)? {
        r if r < 0 => Err(sys_error(&ctx, r, "fsync", &[])),
        _ => Ok(()),
    }
}

/// Sets the file's length. Through the ring from Linux 6.9; older kernels answer EINVAL to the
/// unknown operation, and get a direct `ftruncate`.
fn truncate(ctx: &Ctx<'_>, fd: &Rc<Fd>, length: u64) -> Result<i32> {
    let result = run(ctx, Ftruncate::new(fd, length).ok_or_else(|| closed(ctx, "ftruncate"))?)?;
    if result != -libc::EINVAL && result != -libc::EOPNOTSUPP {
        return Ok(result);
    }
    let raw = fd.get().ok_or_else(|| closed(ctx, "ftruncate"))?;
    Ok(sys::fs::truncate(raw, length).map_or_else(|errno| -errno, |()| 0))
}

fn op_fs_truncate<'js>(ctx: Ctx<'js>, file: Value<'js>, length: f64) -> Result<()> {
    let fd = file_of(&ctx, &file)?;
    match truncate(&ctx, &fd, length as u64)? {
        r if r < 0 => Err(sys_error(&ctx, r, "ftruncate", &[])),
        _ => Ok(()),
    }
}
