//! Whole-file reads and writes, `copyFile`, and `File`'s positioned reads and writes, seeking,
//! syncing and truncating. Big files move in chunks of at most 1 MiB, one operation per
//! scheduler turn, so that a fiber reading 1 GiB from the page cache (which the kernel copies
//! within the submitting call) never holds the thread for more than a fraction of a
//! millisecond: other fibers and timers run between the chunks.

use crate::ops::errors;
use std::{ffi::c_void, rc::Rc};

use io_uring::{opcode, types::Fd as Target};
use rquickjs::{qjs, Ctx, Result, Value};

use super::{file_of, open, path::PathArg, stat::of_file, sys_error};
use crate::{
    ops::{errors::reserve, io::cancelled, io::closed, raw::uint8_array, Ops},
    scheduler::io,
    uring::{fd::Fd, stream, Keep},
};

/// The most one operation moves: the kernel copies cached data within the submitting call, and
/// 1 MiB takes it well under a millisecond, so a 1 ms timer stays on time during big reads.
const CHUNK: usize = 1024 * 1024;
/// The longest array the engine makes (2 GiB − 1).
const MAX_ARRAY: u64 = i32::MAX as u64;
/// What a whole-file read asks for first: most files fit, and a short read ends it.
const FIRST_READ: usize = 64 * 1024;
/// `offset` for "the file's current position" (pipes and terminals have no other).
const CURRENT: u64 = u64::MAX;

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

/// Reads into `buf`'s spare capacity (at most `len` bytes) at `offset`; bytes read or -errno.
fn read_into(ctx: &Ctx<'_>, fd: &Rc<Fd>, buf: &mut Vec<u8>, len: usize, offset: u64) -> Result<i32> {
    let raw = fd.get().ok_or_else(|| closed(ctx, "read"))?;
    let len = len.min(CHUNK);
    if buf.capacity() - buf.len() < len {
        reserve(ctx, buf, len, "a read")?;
    }
    let mut keep = Keep { fd: Some(fd.begin()), buf: std::mem::take(buf), ..Keep::default() };
    let at = keep.buf.len();
    // SAFETY: within the vector's spare capacity, reserved above.
    let ptr = unsafe { keep.buf.as_mut_ptr().add(at) };
    let entry = opcode::Read::new(Target(raw), ptr, len.min(CHUNK) as u32).offset(offset).build();
    // SAFETY: the entry points into `keep.buf`'s spare capacity, which the operation owns.
    let (done, keep) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
    *buf = keep.buf;
    if done.result > 0 {
        // SAFETY: the kernel wrote `result` bytes after the initialised part.
        unsafe { buf.set_len(at + done.result as usize) };
    }
    Ok(done.result)
}

/// Where a write's bytes come from: Rust memory, or a JS `Uint8Array` copied a chunk at a time
/// just before each chunk is submitted (other fibers run while a write waits, and may change
/// the array; copying it whole first would double the memory of a big write).
enum Source<'a, 'js> {
    Bytes(&'a [u8]),
    Array(&'a Value<'js>, usize),
}

impl<'js> Source<'_, 'js> {
    fn array<'a>(ctx: &Ctx<'js>, value: &'a Value<'js>) -> Result<Source<'a, 'js>> {
        let (_, len) = uint8_array(ctx, value.as_raw()).ok_or(rquickjs::Error::Exception)?;
        Ok(Source::Array(value, len))
    }

    fn len(&self) -> usize {
        match self {
            Source::Bytes(bytes) => bytes.len(),
            Source::Array(_, len) => *len,
        }
    }

    /// Copies bytes `from..to` into `buf`.
    fn copy(&self, ctx: &Ctx<'js>, from: usize, to: usize, buf: &mut Vec<u8>) -> Result<()> {
        buf.clear();
        reserve(ctx, buf, to - from, "a write")?;
        match self {
            Source::Bytes(bytes) => buf.extend_from_slice(&bytes[from..to]),
            Source::Array(value, _) => {
                let (ptr, len) = uint8_array(ctx, value.as_raw()).ok_or(rquickjs::Error::Exception)?;
                if len < to {
                    return Err(errors::range_error(ctx, "the array being written was shrunk meanwhile"));
                }
                // SAFETY: in bounds of the array's memory, copied before JS runs again.
                buf.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr.add(from), to - from) });
            }
        }
        Ok(())
    }
}

/// Writes all of `data` (a `Uint8Array`) at the current position of a file, pipe or terminal,
/// in chunks (`File.write`, `stdout.write`): its length.
pub fn write_array<'js>(ctx: &Ctx<'js>, fd: &Rc<Fd>, data: &Value<'js>) -> Result<usize> {
    let written = write_all_at(ctx, fd, &Source::array(ctx, data)?, CURRENT)?;
    if written == -libc::EPIPE as i64 && fd.standard() {
        return Err(crate::ops::io::broken_pipe(ctx));
    }
    if written < 0 {
        return Err(crate::ops::io::failed(ctx, written as i32, "write"));
    }
    Ok(written as usize)
}

/// Writes all of `source` at `offset` (or the current position), in chunks: the bytes
/// written, or -errno.
fn write_all_at<'js>(ctx: &Ctx<'js>, fd: &Rc<Fd>, source: &Source<'_, 'js>, offset: u64) -> Result<i64> {
    let mut written = 0;
    let mut keep = Keep::default();
    while written < source.len() {
        let raw = fd.get().ok_or_else(|| closed(ctx, "write"))?;
        source.copy(ctx, written, (written + CHUNK).min(source.len()), &mut keep.buf)?;
        keep.fd = Some(fd.begin());
        let at = if offset == CURRENT { CURRENT } else { offset + written as u64 };
        let entry = opcode::Write::new(Target(raw), keep.buf.as_ptr(), keep.buf.len() as u32).offset(at).build();
        // SAFETY: the entry points into `keep.buf`, which the operation owns.
        let (done, back) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
        keep = back;
        keep.fd = None;
        match done.result {
            n if n > 0 => written += n as usize,
            0 => return Ok(-libc::EIO as i64),
            // A pipe or terminal someone else made non-blocking: wait until it takes more.
            e if e == -libc::EAGAIN => {
                let keep = Keep { fd: Some(fd.begin()), ..Keep::default() };
                // SAFETY: the entry points to nothing.
                let (ready, _) =
                    unsafe { io(ctx, keep, stream::ready(raw, libc::POLLOUT)) }.ok_or_else(|| cancelled(ctx))?;
                if ready.result < 0 {
                    return Ok(ready.result as i64);
                }
            }
            e => return Ok(e as i64),
        }
    }
    Ok(written as i64)
}

/// A `Uint8Array` that owns `bytes` without copying them. The engine manages the memory from
/// then on through `manage`: the vector's memory comes from the C allocator (Rust's `System`
/// allocator is `malloc` for byte vectors; this crate sets no other), so it is resized with
/// `realloc` (`ArrayBuffer.prototype.transfer`) and freed with `free`.
fn into_uint8_array<'js>(ctx: &Ctx<'js>, bytes: Vec<u8>) -> Result<Value<'js>> {
    unsafe extern "C" fn manage(
        _rt: *mut qjs::JSRuntime,
        _opaque: *mut c_void,
        ptr: *mut c_void,
        size: qjs::size_t,
    ) -> *mut c_void {
        // SAFETY: memory from the C allocator, handed over below.
        unsafe {
            if size == 0 {
                libc::free(ptr);
                return std::ptr::null_mut();
            }
            libc::realloc(ptr, size as usize)
        }
    }
    if bytes.is_empty() {
        // No memory to hand over (an empty vector's pointer is not the allocator's).
        // SAFETY: a new, empty array.
        let value = unsafe { qjs::JS_NewUint8ArrayCopy(ctx.as_raw().as_ptr(), [].as_ptr(), 0) };
        return Ok(unsafe { Value::from_raw(ctx.clone(), value) });
    }
    let mut bytes = bytes;
    if bytes.capacity() - bytes.len() > 4096 {
        // A small file read into a 64 KiB buffer: the array keeps only what it needs, and the
        // buffer's memory goes back to the allocator for the next read.
        bytes.shrink_to_fit();
    }
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    let (ptr, len) = (bytes.as_mut_ptr(), bytes.len());
    // SAFETY: the engine takes the memory (on failure it may already have freed it through
    // `manage`, so the vector is never dropped here: out of memory, it leaks at worst).
    unsafe {
        let value =
            qjs::JS_NewUint8Array(ctx.as_raw().as_ptr(), ptr, len as _, Some(manage), std::ptr::null_mut(), false);
        if qjs::JS_IsException(value) {
            return Err(rquickjs::Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), value))
    }
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
    let result = write_all_at(&ctx, &fd, &Source::array(&ctx, &data)?, start)?;
    if result < 0 {
        return Err(sys_error(&ctx, result as i32, "write", &[&path]));
    }
    if !append {
        // EINVAL: not a regular file (a device, a pipe), which has no length to cut.
        match truncate(&ctx, &fd, result as u64)? {
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
        let written = write_all_at(&ctx, &target, &Source::Bytes(&buf), copied)?;
        if written < 0 {
            return Err(sys_error(&ctx, written as i32, "write", &[&to]));
        }
        copied += written as u64;
    }
    let result = truncate(&ctx, &target, copied)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "ftruncate", &[&to]));
    }
    // The mode given to open is cut by the umask and ignored for an existing file: set it.
    // (fchmod never waits for data; io_uring has no operation for it.)
    // SAFETY: a plain syscall on our descriptor.
    if unsafe { libc::fchmod(target.get().unwrap_or(-1), mode) } < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        return Err(sys_error(&ctx, -errno, "chmod", &[&to]));
    }
    Ok(())
}

/// Reads into `target` at `offset` (the file position is not moved): bytes read, 0 at end.
fn op_fs_read_at<'js>(ctx: Ctx<'js>, file: Value<'js>, target: Value<'js>, offset: f64) -> Result<usize> {
    let fd = file_of(&ctx, &file)?;
    let (_, len) = uint8_array(&ctx, target.as_raw()).ok_or(rquickjs::Error::Exception)?;
    let mut buf = Vec::new();
    let n = read_into(&ctx, &fd, &mut buf, len, offset as u64)?;
    if n < 0 {
        return Err(sys_error(&ctx, n, "read", &[]));
    }
    // The array may have changed while the read waited: it gets what fits now.
    let (ptr, len) = uint8_array(&ctx, target.as_raw()).ok_or(rquickjs::Error::Exception)?;
    let copied = buf.len().min(len);
    if copied > 0 {
        // SAFETY: both ranges are in bounds and no JS runs during the copy.
        unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), ptr, copied) };
    }
    Ok(copied)
}

/// Writes all of `data` at `offset` (the file position is not moved): its length.
fn op_fs_write_at<'js>(ctx: Ctx<'js>, file: Value<'js>, data: Value<'js>, offset: f64) -> Result<usize> {
    let fd = file_of(&ctx, &file)?;
    let result = write_all_at(&ctx, &fd, &Source::array(&ctx, &data)?, offset as u64)?;
    if result < 0 {
        return Err(sys_error(&ctx, result as i32, "write", &[]));
    }
    Ok(result as usize)
}

/// Moves the file position (`whence` as lseek's); the new position. Never waits.
fn op_fs_seek<'js>(ctx: Ctx<'js>, file: Value<'js>, offset: f64, whence: i32) -> Result<f64> {
    let fd = file_of(&ctx, &file)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "seek"))?;
    // SAFETY: a plain syscall on our descriptor.
    let at = unsafe { libc::lseek64(raw, offset as i64, whence) };
    if at < 0 {
        return Err(sys_error(&ctx, -std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO), "seek", &[]));
    }
    Ok(at as f64)
}

/// Waits for a file-level operation on `fd`: its result.
fn file_op(
    ctx: &Ctx<'_>,
    fd: &Rc<Fd>,
    entry: impl FnOnce(i32) -> io_uring::squeue::Entry,
    syscall: &str,
) -> Result<i32> {
    let raw = fd.get().ok_or_else(|| closed(ctx, syscall))?;
    let keep = Keep { fd: Some(fd.begin()), ..Keep::default() };
    // SAFETY: the entry points to nothing but the descriptor, which the operation holds.
    let (done, _) = unsafe { io(ctx, keep, entry(raw)) }.ok_or_else(|| cancelled(ctx))?;
    Ok(done.result)
}

fn op_fs_sync<'js>(ctx: Ctx<'js>, file: Value<'js>) -> Result<()> {
    let fd = file_of(&ctx, &file)?;
    match file_op(&ctx, &fd, |raw| opcode::Fsync::new(Target(raw)).build(), "fsync")? {
        r if r < 0 => Err(sys_error(&ctx, r, "fsync", &[])),
        _ => Ok(()),
    }
}

/// Sets the file's length. Through the ring from Linux 6.9; older kernels answer EINVAL to the
/// unknown operation, and get a direct `ftruncate`.
fn truncate(ctx: &Ctx<'_>, fd: &Rc<Fd>, length: u64) -> Result<i32> {
    let result = file_op(ctx, fd, |raw| opcode::Ftruncate::new(Target(raw), length).build(), "ftruncate")?;
    if result != -libc::EINVAL && result != -libc::EOPNOTSUPP {
        return Ok(result);
    }
    let raw = fd.get().ok_or_else(|| closed(ctx, "ftruncate"))?;
    // SAFETY: a plain syscall on our descriptor.
    if unsafe { libc::ftruncate64(raw, length as i64) } < 0 {
        return Ok(-std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO));
    }
    Ok(0)
}

fn op_fs_truncate<'js>(ctx: Ctx<'js>, file: Value<'js>, length: f64) -> Result<()> {
    let fd = file_of(&ctx, &file)?;
    match truncate(&ctx, &fd, length as u64)? {
        r if r < 0 => Err(sys_error(&ctx, r, "ftruncate", &[])),
        _ => Ok(()),
    }
}
