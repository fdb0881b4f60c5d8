//! Reading: once, into the caller's `Uint8Array`. Sockets receive into the ring's provided
//! buffers, so a connection waiting for data holds none; the bytes are copied into the array
//! once they have arrived, and the buffer goes back to the kernel.

use std::rc::Rc;

use rquickjs::{Ctx, Result, Value};

use super::{cancelled, closed, descriptor, failed, write::ready};
use crate::{
    js::{
        bytes::{uint8_array_len, with_uint8_array},
        errors::{self, Target},
        raw_op::{Args, RawOp, Return},
    },
    scheduler::wait,
    uring::{
        fd::Fd,
        op::{Read, Recv, CURRENT},
    },
};

pub fn register(ops: &super::super::Ops<'_>) -> Result<()> {
    ops.add_raw::<OpIoRead>()
}

/// `op_io_read(descriptor, Uint8Array)`: bytes read, 0 at end of stream. A raw op: its frames
/// sit under each idle connection's fiber, and a fiber's memory is its stack pages.
struct OpIoRead;

impl RawOp for OpIoRead {
    const NAME: &'static std::ffi::CStr = c"op_io_read";
    const LENGTH: i32 = 2;

    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let ctx = &args.ctx;
        let fd =
            descriptor(ctx, &args.value(0), "an open socket, file or standard stream (after split(), the halves)")?;
        let target = args.value(1);
        read(ctx, &fd, &target).map(|n| Return::Number(n as f64))
    }
}

/// Reads once into `target`.
fn read<'js>(ctx: &Ctx<'js>, fd: &Rc<Fd>, target: &Value<'js>) -> Result<usize> {
    let len = uint8_array_len(ctx, target)?;
    if !fd.leftover.borrow().is_empty() {
        let leftover = std::mem::take(&mut *fd.leftover.borrow_mut());
        return copy_into(ctx, fd, target, &leftover);
    }
    if len == 0 {
        return Ok(0);
    }
    if !fd.socket {
        let mut buf = Vec::new();
        errors::reserve(ctx, &mut buf, len, "a read")?;
        let bytes = loop {
            let op = Read::new(fd, buf, len, CURRENT).ok_or_else(|| closed(ctx, "read"))?;
            let (done, op) = wait(op).map_err(|_| cancelled(ctx))?;
            match done.result {
                n if n >= 0 => break op.into_buf(done),
                e if e == -libc::EAGAIN => {
                    buf = op.into_buf(done);
                    if let Err(errno) = ready(ctx, fd, libc::POLLIN, "read")? {
                        return Err(failed(ctx, -errno, "read", Target::None));
                    }
                }
                e => return Err(failed(ctx, e, "read", Target::None)),
            }
        };
        return copy_into(ctx, fd, target, &bytes);
    }
    let mut provided = true;
    let received = loop {
        let op = if provided { Recv::provided(fd, len) } else { Recv::own(fd, len) };
        let op = op.ok_or_else(|| closed(ctx, "read"))?;
        let (done, op) = wait(op).map_err(|_| cancelled(ctx))?;
        match done.result {
            n if n >= 0 => break op.received(done),
            // Every provided buffer is in use: this read brings its own.
            e if e == -libc::ENOBUFS && provided => provided = false,
            e => return Err(failed(ctx, e, "read", Target::None)),
        }
    };
    // A provided buffer goes back to the kernel when `received` is dropped, after the copy.
    copy_into(ctx, fd, target, received.bytes())
}

/// Copies `bytes` into `target`; what does not fit (the array shrank or was detached while
/// the read waited) is kept for the next read, so nothing read is lost.
fn copy_into<'js>(ctx: &Ctx<'js>, fd: &Fd, target: &Value<'js>, bytes: &[u8]) -> Result<usize> {
    let copied = with_uint8_array(ctx, target, |array| {
        let n = bytes.len().min(array.len());
        array[..n].copy_from_slice(&bytes[..n]);
        n
    });
    let n = *copied.as_ref().unwrap_or(&0);
    if n < bytes.len() {
        fd.leftover.borrow_mut().splice(0..0, bytes[n..].iter().copied());
    }
    copied
}
