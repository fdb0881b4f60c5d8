//! Whole-file reads and writes, `copyFile`, and `File`'s positioned reads and writes, seeking,
//! syncing and truncating. Big files move in chunks of at most 1 MiB, one operation per
//! scheduler turn, so that a fiber reading 1 GiB from the page cache (which the kernel copies
//! within the submitting call) never holds the thread for more than a fraction of a
//! millisecond: other fibers and timers run between the chunks.

use std::{ffi::c_void, rc::Rc};

use io_uring::{
    opcode,
    types::{self, Fd as Target},
};
use rquickjs::{qjs, Ctx, Exception, Result, Value};

use super::{file_of, open, path::PathArg, stat::of_file, sys_error, AT_CWD};
use crate::{
    engine::host::host,
    ops::{io::cancelled, io::closed, raw::uint8_array, Ops},
    scheduler::{io, io_chain},
    uring::{fd::Fd, Keep},
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
    buf.reserve(len);
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
        match self {
            Source::Bytes(bytes) => buf.extend_from_slice(&bytes[from..to]),
            Source::Array(value, _) => {
                let (ptr, len) = uint8_array(ctx, value.as_raw()).ok_or(rquickjs::Error::Exception)?;
                if len < to {
                    return Err(Exception::throw_range(ctx, "the array being written was shrunk meanwhile"));
                }
                // SAFETY: in bounds of the array's memory, copied before JS runs again.
                buf.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr.add(from), to - from) });
            }
        }
        Ok(())
    }
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
            e => return Ok(e as i64),
        }
    }
    Ok(written as i64)
}

/// A `Uint8Array` that owns `bytes` without copying them: the engine frees the vector.
fn into_uint8_array<'js>(ctx: &Ctx<'js>, bytes: Vec<u8>) -> Result<Value<'js>> {
    unsafe extern "C" fn free(
        _rt: *mut qjs::JSRuntime,
        opaque: *mut c_void,
        ptr: *mut c_void,
        size: qjs::size_t,
    ) -> *mut c_void {
        if size == 0 {
            // SAFETY: the pointer and capacity (`opaque`) of the vector handed over below.
            unsafe { drop(Vec::from_raw_parts(ptr.cast::<u8>(), 0, opaque as usize)) };
        }
        std::ptr::null_mut()
    }
    let mut bytes = bytes;
    if bytes.capacity() - bytes.len() > 4096 {
        // A small file read into a 64 KiB buffer: the array keeps only what it needs, and the
        // buffer's memory goes back to the allocator for the next read.
        bytes.shrink_to_fit();
    }
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    let (ptr, len, capacity) = (bytes.as_mut_ptr(), bytes.len(), bytes.capacity());
    // SAFETY: the engine takes the vector's memory, which `free` gives back; a fixed-length
    // array, so the engine never asks to resize it.
    unsafe {
        let value =
            qjs::JS_NewUint8Array(ctx.as_raw().as_ptr(), ptr, len as _, Some(free), capacity as *mut c_void, false);
        if qjs::JS_IsException(value) {
            drop(std::mem::ManuallyDrop::into_inner(bytes));
            return Err(rquickjs::Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), value))
    }
}

/// Reads a file whole: until a read returns nothing, so a file that grows or shrinks while
/// being read gives what was there as the reads went by.
fn op_fs_read_file<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let slot = host(&ctx).scheduler.borrow_mut().ring.take_slot();
    let (fd, buf) = match slot {
        Some(slot) => match read_small(&ctx, &path, slot)? {
            Small::Whole(buf) => return into_uint8_array(&ctx, buf),
            Small::More(fd, buf) => (fd, buf),
        },
        None => (open(&ctx, &path, libc::O_RDONLY, 0)?, Vec::new()),
    };
    read_rest(&ctx, &path, &fd, buf)
}

enum Small {
    /// The whole file.
    Whole(Vec<u8>),
    /// The file is bigger: its descriptor (positioned after) and what was read.
    More(Rc<Fd>, Vec<u8>),
}

/// Most files are small: one submission opens the file into fixed-file `slot`, reads 64 KiB,
/// and reads 1 byte more to find the end — one wait in all. A bigger file becomes an ordinary
/// descriptor and is read on from there.
fn read_small(ctx: &Ctx<'_>, path: &PathArg, slot: u32) -> Result<Small> {
    let target = types::DestinationSlot::try_from_slot_target(slot).ok();
    let name = Box::new(path.c.clone());
    let open = opcode::OpenAt::new(Target(AT_CWD), name.as_ptr())
        .file_index(target)
        .flags(libc::O_RDONLY) // a fixed file is no descriptor: O_CLOEXEC is refused (EINVAL)
        .build();
    let read = |len: usize| {
        let mut keep = Keep { buf: Vec::with_capacity(len), ..Keep::default() };
        let entry = opcode::Read::new(types::Fixed(slot), keep.buf.as_mut_ptr(), len as u32).offset(CURRENT).build();
        (keep, entry)
    };
    let chain = [(Keep { extra: Some(name), ..Keep::default() }, open), read(FIRST_READ), read(1)];
    // SAFETY: each entry points into its own `Keep`: the path, or the buffer.
    let done = unsafe { io_chain(ctx, chain) };
    let release = || host(ctx).scheduler.borrow_mut().ring.release_slot(slot);
    let Some([(opened, _), (head, first), (tail, probe)]) = done else {
        release();
        return Err(cancelled(ctx));
    };
    if opened.result < 0 {
        host(ctx).scheduler.borrow_mut().ring.give_slot(slot);
        return Err(sys_error(ctx, opened.result, "open", &[path]));
    }
    let failed = [head.result, tail.result].into_iter().find(|r| *r < 0);
    let (mut buf, mut probe) = (first.buf, probe.buf);
    if let Some(result) = failed {
        release();
        return Err(sys_error(ctx, result, "read", &[path]));
    }
    // SAFETY: the kernel wrote this many bytes into each buffer's capacity.
    unsafe {
        buf.set_len(head.result as usize);
        probe.set_len(tail.result as usize);
    }
    if probe.is_empty() {
        release();
        return Ok(Small::Whole(buf));
    }
    buf.reserve_exact(1);
    buf.extend_from_slice(&probe);
    let install = opcode::FixedFdInstall::new(types::Fixed(slot), 0).build();
    // SAFETY: the entry points to nothing.
    let installed = unsafe { io(ctx, Keep::default(), install) };
    release();
    let (installed, _) = installed.ok_or_else(|| cancelled(ctx))?;
    if installed.result < 0 {
        return Err(sys_error(ctx, installed.result, "open", &[path]));
    }
    Ok(Small::More(Fd::new(installed.result, false), buf))
}

/// Reads the rest of a file that did not fit its first read.
fn read_rest<'js>(ctx: &Ctx<'js>, path: &PathArg, fd: &Rc<Fd>, start: Vec<u8>) -> Result<Value<'js>> {
    // One buffer of the file's size (and a byte to see the end), allocated once.
    let (result, stat) = of_file(ctx, fd)?;
    if result >= 0 && stat.stx_size > MAX_ARRAY {
        return Err(too_big(ctx, path));
    }
    let size = if result >= 0 { stat.stx_size as usize } else { 0 };
    let mut buf = Vec::with_capacity(size.max(start.len()) + 1);
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
    Exception::throw_range(ctx, &message)
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
/// ring in 4 MiB chunks: the bytes never reach JS. Copying a file onto itself leaves it intact.
fn op_fs_copy_file(ctx: Ctx<'_>, from: PathArg, to: PathArg) -> Result<()> {
    let source = open(&ctx, &from, libc::O_RDONLY, 0)?;
    let (result, stat) = of_file(&ctx, &source)?;
    if result < 0 {
        return Err(sys_error(&ctx, result, "stat", &[&from]));
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
    let mut buf = Vec::with_capacity(CHUNK);
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
