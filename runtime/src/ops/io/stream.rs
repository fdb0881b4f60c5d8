//! Reading and writing descriptors through the ring: the hot waits of every connection, as raw
//! ops (their frames sit under each idle connection's fiber, and a fiber's memory is its stack
//! pages). Sockets receive into the ring's provided buffers, so an idle connection holds no
//! buffer; the bytes are copied into the caller's `Uint8Array` once they have arrived.

use std::{ffi::c_int, rc::Rc};

use rquickjs::{qjs, Ctx, Result, Value};

use crate::{
    engine::host::host,
    ops::{
        descriptor,
        errors::{self, throw_sys},
        fiber::throw_cancelled,
        fs::write_array,
        raw::{arg, context, number, uint8_array},
        Ops,
    },
    scheduler::{io, park, task::Wait, CopyEnd},
    uring::{
        fd::Fd,
        stream::{self, Arrived},
        Keep,
    },
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    descriptor::register(&ops.ctx)?;
    ops.add_raw(c"op_io_read", 2, op_io_read)?;
    ops.add_raw(c"op_io_write", 2, op_io_write)?;
    ops.add_raw(c"op_io_copy", 2, op_io_copy)?;
    ops.add("op_io_close", op_io_close)?;
    ops.add("op_io_std", op_io_std)
}

/// `op_io_read(descriptor, Uint8Array)`: bytes read, 0 at end of stream.
unsafe extern "C" fn op_io_read(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: the engine's arguments and context, live for this call.
    let (ctx, fd, target) = unsafe { (context(raw), descriptor::get(arg(argc, argv, 0)), arg(argc, argv, 1)) };
    let Some(fd) = fd else { return not_a_descriptor(&ctx) };
    number(read(&ctx, &fd, target))
}

/// `op_io_write(descriptor, Uint8Array)`: writes all of it (retrying short writes); its length.
unsafe extern "C" fn op_io_write(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: as in `op_io_read`.
    let (ctx, fd, data) = unsafe { (context(raw), descriptor::get(arg(argc, argv, 0)), arg(argc, argv, 1)) };
    let Some(fd) = fd else { return not_a_descriptor(&ctx) };
    if !fd.socket {
        // Files, pipes, terminals: in 1 MiB chunks, each copied just before it is written, so
        // a big write neither doubles its memory nor holds the thread for long.
        // SAFETY: a new reference to the argument, owned by `Value`.
        let data = unsafe { Value::from_raw(ctx.clone(), qjs::JS_DupValue(raw, data)) };
        return number(write_array(&ctx, &fd, &data));
    }
    let Some((bytes, len)) = uint8_array(&ctx, data) else { return qjs::JS_EXCEPTION };
    // The kernel gets a copy: JS may drop, detach or resize its array while the write waits.
    // SAFETY: the array's memory, valid until JS runs again.
    let data = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(bytes, len) } };
    let bytes = match errors::copy_of(&ctx, data, "a write") {
        Ok(bytes) => bytes,
        Err(_) => return qjs::JS_EXCEPTION,
    };
    number(write_all(&ctx, &fd, bytes))
}

/// `op_io_copy(from, to)`: copies until end of stream without passing the bytes through JS;
/// the bytes copied.
unsafe extern "C" fn op_io_copy(
    raw: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: as in `op_io_read`.
    let (ctx, from, to) =
        unsafe { (context(raw), descriptor::get(arg(argc, argv, 0)), descriptor::get(arg(argc, argv, 1))) };
    let (Some(from), Some(to)) = (from, to) else { return not_a_descriptor(&ctx) };
    number(copy(&ctx, from, to))
}

#[cold]
#[inline(never)]
fn not_a_descriptor(ctx: &Ctx<'_>) -> qjs::JSValue {
    errors::type_error(ctx, "expected an open socket, file or standard stream (after split(), use the halves)");
    qjs::JS_EXCEPTION
}

/// Reads once into `target` (a `Uint8Array`).
fn read(ctx: &Ctx<'_>, fd: &Rc<Fd>, target: qjs::JSValue) -> Result<usize> {
    let Some((_, len)) = uint8_array(ctx, target) else { return Err(rquickjs::Error::Exception) };
    if !fd.leftover.borrow().is_empty() {
        let leftover = std::mem::take(&mut *fd.leftover.borrow_mut());
        return copy_into(fd, target, &leftover, ctx);
    }
    if len == 0 {
        return Ok(0);
    }
    match receive(ctx, fd, len)? {
        Arrived::Own(bytes) => copy_into(fd, target, &bytes, ctx),
        Arrived::Provided(bid, n) => {
            // The array is looked up before the scheduler is borrowed: a failure makes an error,
            // which runs JS. With the memory in hand, the copy itself runs no JS.
            let memory = uint8_array(ctx, target);
            let mut s = host(ctx).scheduler.borrow_mut();
            let Some(buffers) = s.ring.buffers.as_mut() else {
                drop(s);
                return Err(closed(ctx, "read"));
            };
            let bytes = buffers.get(bid, n);
            let copied = match memory {
                Some((data, len)) => {
                    let copied = bytes.len().min(len);
                    // SAFETY: `data` holds `len` bytes; no JS runs during the copy.
                    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, copied) };
                    fd.leftover.borrow_mut().splice(0..0, bytes[copied..].iter().copied());
                    Some(copied)
                }
                None => {
                    fd.leftover.borrow_mut().extend_from_slice(bytes);
                    None
                }
            };
            buffers.give_back(bid);
            drop(s);
            copied.ok_or(rquickjs::Error::Exception)
        }
    }
}

/// Waits for bytes from `fd`, at most `len`.
fn receive(ctx: &Ctx<'_>, fd: &Rc<Fd>, len: usize) -> Result<Arrived> {
    let mut provided = fd.socket && host(ctx).scheduler.borrow().ring.buffers.is_some();
    loop {
        let raw = fd.get().ok_or_else(|| closed(ctx, "read"))?;
        let mut keep = Keep { fd: Some(fd.begin()), ..Keep::default() };
        let entry = stream::read(fd, raw, &mut keep, len, provided);
        // SAFETY: the entry points into `keep.buf` (or into the provided buffers).
        let (done, keep) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
        match done.result {
            n if n >= 0 => return Ok(stream::arrived(done, keep)),
            // Every provided buffer is in use: this read brings its own.
            e if e == -libc::ENOBUFS && provided => provided = false,
            e if e == -libc::EAGAIN => ready(ctx, fd, libc::POLLIN, "read")?,
            e => return Err(failed(ctx, e, "read")),
        }
    }
}

/// Copies `bytes` into `target`; what does not fit (the array shrank or was detached while
/// the read waited) is kept for the next read, so nothing read is lost.
fn copy_into(fd: &Fd, target: qjs::JSValue, bytes: &[u8], ctx: &Ctx<'_>) -> Result<usize> {
    let Some((data, len)) = uint8_array(ctx, target) else {
        fd.leftover.borrow_mut().extend_from_slice(bytes);
        return Err(rquickjs::Error::Exception);
    };
    let n = bytes.len().min(len);
    if n > 0 {
        // SAFETY: `data` holds `len` bytes, and no JS runs during the copy.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, n) };
    }
    if n < bytes.len() {
        fd.leftover.borrow_mut().splice(0..0, bytes[n..].iter().copied());
    }
    Ok(n)
}

/// Writes all of `bytes`.
fn write_all(ctx: &Ctx<'_>, fd: &Rc<Fd>, bytes: Vec<u8>) -> Result<usize> {
    let mut keep = Keep { buf: bytes, ..Keep::default() };
    let mut written = 0;
    while written < keep.buf.len() {
        let raw = fd.get().ok_or_else(|| closed(ctx, "write"))?;
        keep.fd = Some(fd.begin());
        // SAFETY: within the buffer.
        let entry = stream::write(fd, raw, unsafe { keep.buf.as_ptr().add(written) }, keep.buf.len() - written);
        // SAFETY: the entry points into `keep.buf`.
        let (done, back) = unsafe { io(ctx, keep, entry) }.ok_or_else(|| cancelled(ctx))?;
        keep = back;
        keep.fd = None;
        match done.result {
            n if n > 0 => written += n as usize,
            0 => return Err(failed(ctx, -libc::EIO, "write")),
            e if e == -libc::EAGAIN => ready(ctx, fd, libc::POLLOUT, "write")?,
            e => return Err(failed(ctx, e, "write")),
        }
    }
    Ok(written)
}

/// Copies from `from` to `to` until end of stream, driven by completions (`scheduler::copy`).
fn copy(ctx: &Ctx<'_>, from: Rc<Fd>, to: Rc<Fd>) -> Result<usize> {
    if from.get().is_none() || to.get().is_none() {
        return Err(closed(ctx, if from.get().is_none() { "read" } else { "write" }));
    }
    // Bound first: the error is made with the scheduler no longer borrowed (making it runs JS).
    let started = host(ctx).scheduler.borrow_mut().start_copy(from, to);
    let index = started.ok_or_else(|| cancelled(ctx))?;
    if !host(ctx).scheduler.borrow().copy_ended(index) {
        park(ctx, Wait::Copy(index));
    }
    let end = host(ctx).scheduler.borrow_mut().finish_copy(index);
    match end {
        CopyEnd::Done(total) => Ok(total),
        CopyEnd::Failed(result, syscall) => Err(failed(ctx, result, syscall)),
        CopyEnd::Cancelled => Err(cancelled(ctx)),
    }
}

/// Waits until a descriptor that was set non-blocking by someone else is ready.
#[cold]
fn ready(ctx: &Ctx<'_>, fd: &Rc<Fd>, events: i16, syscall: &str) -> Result<()> {
    let raw = fd.get().ok_or_else(|| closed(ctx, syscall))?;
    let keep = Keep { fd: Some(fd.begin()), ..Keep::default() };
    // SAFETY: the entry points to nothing.
    let (done, _) = unsafe { io(ctx, keep, stream::ready(raw, events)) }.ok_or_else(|| cancelled(ctx))?;
    if done.result < 0 {
        return Err(failed(ctx, done.result, syscall));
    }
    Ok(())
}

/// The error for a failed operation: `Cancelled` when the fiber's cancellation cancelled it,
/// a closed-descriptor error when `close()` did, else the system's error.
#[cold]
#[inline(never)]
pub fn failed(ctx: &Ctx<'_>, result: i32, syscall: &str) -> rquickjs::Error {
    // An operation a kernel worker was running when it was cancelled ends with the kernel's
    // internal "restart" codes (ERESTARTSYS, 512–516), which are no errno a program knows.
    let result = if (512..=516).contains(&-result) { -libc::EINTR } else { result };
    if result == -libc::EINTR && host(ctx).scheduler.borrow().current_cancelled() {
        return cancelled(ctx);
    }
    if result == -libc::ECANCELED {
        if host(ctx).scheduler.borrow().current_cancelled() {
            return cancelled(ctx);
        }
        return closed(ctx, syscall);
    }
    throw_sys(ctx, -result, syscall, errors::Target::None)
}

#[cold]
#[inline(never)]
pub fn cancelled(ctx: &Ctx<'_>) -> rquickjs::Error {
    throw_cancelled(ctx);
    rquickjs::Error::Exception
}

#[cold]
#[inline(never)]
pub fn closed(ctx: &Ctx<'_>, syscall: &str) -> rquickjs::Error {
    throw_sys(ctx, libc::EBADF, syscall, errors::Target::None)
}

/// Closes a descriptor for JS now; operations in flight on it are cancelled, and it is
/// released when the last of them has completed.
pub fn close(ctx: &Ctx<'_>, fd: &Fd) {
    let raw = fd.raw();
    if fd.close() {
        host(ctx).scheduler.borrow_mut().ring.cancel_fd(raw);
    }
}

fn op_io_close<'js>(ctx: Ctx<'js>, descriptor: Value<'js>) -> Result<()> {
    let fd = descriptor::get(descriptor.as_raw()).ok_or_else(|| errors::type_error(&ctx, "not a descriptor"))?;
    close(&ctx, &fd);
    Ok(())
}

/// A descriptor for standard stream 0, 1 or 2, which closing leaves open for the process.
fn op_io_std(ctx: Ctx<'_>, n: i32) -> Result<Value<'_>> {
    descriptor::wrap(&ctx, Fd::borrowed(n))
}
