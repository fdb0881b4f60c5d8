//! Writing: the one write loop, for sockets, files, pipes and terminals alike. Bytes go in
//! chunks of at most 1 MiB, each copied just before it is submitted (other fibers run while a
//! write waits, and may change the array; copying it whole first would double the memory of a
//! big write), and a short write is continued until all of it is written.

use std::rc::Rc;

use rquickjs::{Ctx, Result, Value};

use super::{closed, descriptor, failed};
use crate::{
    js::{
        bytes::{uint8_array_len, with_uint8_array},
        errors::{self, Target},
        raw_op::{Args, RawOp, Return},
    },
    scheduler::{wait, Cancelled},
    uring::{
        fd::Fd,
        op::{Data, Poll, Send, Write, CURRENT},
    },
};

/// The most one write moves: the kernel copies cached data within the submitting call, and
/// 1 MiB takes it well under a millisecond, so a 1 ms timer stays on time during big writes.
pub const CHUNK: usize = 1024 * 1024;

pub fn register(ops: &super::Ops<'_>) -> Result<()> {
    ops.add_raw::<OpIoWrite>()
}

/// Where a write's bytes come from: Rust memory, or a JS `Uint8Array`.
pub enum Source<'a, 'js> {
    Bytes(&'a [u8]),
    Array(&'a Value<'js>),
}

impl<'js> Source<'_, 'js> {
    fn len(&self, ctx: &Ctx<'js>) -> Result<usize> {
        match self {
            Source::Bytes(bytes) => Ok(bytes.len()),
            Source::Array(value) => uint8_array_len(ctx, value),
        }
    }

    /// A copy of bytes `from..to`.
    fn chunk(&self, ctx: &Ctx<'js>, from: usize, to: usize) -> Result<Vec<u8>> {
        let mut chunk = Vec::new();
        errors::reserve(ctx, &mut chunk, to - from, "a write")?;
        match self {
            Source::Bytes(bytes) => chunk.extend_from_slice(&bytes[from..to]),
            Source::Array(value) => {
                let copied = with_uint8_array(ctx, value, |bytes| {
                    bytes.get(from..to).map(|bytes| chunk.extend_from_slice(bytes)).is_some()
                })?;
                if !copied {
                    return Err(errors::range_error(ctx, "the array being written was shrunk meanwhile"));
                }
            }
        }
        Ok(chunk)
    }
}

/// Writes all of `source` to `fd` at `offset` (`CURRENT`: its position; sockets have none):
/// `Ok(Ok(bytes written))`, or `Ok(Err(errno))` for the caller to report with what it knows
/// (a path, a broken standard stream).
pub fn write_all<'js>(
    ctx: &Ctx<'js>,
    fd: &Rc<Fd>,
    source: &Source<'_, 'js>,
    offset: u64,
) -> Result<std::result::Result<usize, i32>> {
    let len = source.len(ctx)?;
    let mut written = 0;
    while written < len {
        let end = (written + CHUNK).min(len);
        let mut data = Data::Own(source.chunk(ctx, written, end)?);
        let mut at = 0;
        while at < end - written {
            let position = if offset == CURRENT { CURRENT } else { offset + (written + at) as u64 };
            let (result, back) = submit(ctx, fd, data, at, position)?;
            data = back;
            match result {
                n if n > 0 => at += n as usize,
                0 => return Ok(Err(libc::EIO)),
                // A pipe or terminal someone else made non-blocking: wait until it takes more.
                e if e == -libc::EAGAIN => {
                    if let Err(errno) = ready(ctx, fd, libc::POLLOUT, "write")? {
                        return Ok(Err(errno));
                    }
                }
                e => return Ok(Err(-e)),
            }
        }
        written = end;
    }
    Ok(Ok(written))
}

/// One send (sockets) or write (the rest) of `data[at..]`: its result, and the data back.
fn submit(ctx: &Ctx<'_>, fd: &Rc<Fd>, data: Data, at: usize, position: u64) -> Result<(i32, Data)> {
    let cancelled = |_: Cancelled| super::cancelled(ctx);
    if fd.socket {
        let op = Send::new(fd, data, at).ok_or_else(|| closed(ctx, "write"))?;
        let (done, op) = wait(op).map_err(cancelled)?;
        Ok((done.result, op.into_data()))
    } else {
        let op = Write::new(fd, data, at, position).ok_or_else(|| closed(ctx, "write"))?;
        let (done, op) = wait(op).map_err(cancelled)?;
        Ok((done.result, op.into_data()))
    }
}

/// Waits until a descriptor that was set non-blocking by someone else is ready for `events`:
/// `Ok(Err(errno))` if polling it failed.
pub fn ready(ctx: &Ctx<'_>, fd: &Rc<Fd>, events: i16, syscall: &str) -> Result<std::result::Result<(), i32>> {
    let op = Poll::new(fd, events).ok_or_else(|| closed(ctx, syscall))?;
    let (done, _) = wait(op).map_err(|_| super::cancelled(ctx))?;
    Ok(if done.result < 0 { Err(-done.result) } else { Ok(()) })
}

/// `op_io_write(descriptor, Uint8Array)`: writes all of it (retrying short writes); its length.
/// A raw op: its frames sit under each connection's fiber waiting for a slow peer.
struct OpIoWrite;

impl RawOp for OpIoWrite {
    const NAME: &'static std::ffi::CStr = c"op_io_write";
    const LENGTH: i32 = 2;

    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let ctx = &args.ctx;
        let fd = descriptor(ctx, &args.value(0), "an open socket, file or standard stream")?;
        let data = args.value(1);
        match write_all(ctx, &fd, &Source::Array(&data), CURRENT)? {
            Ok(written) => Ok(Return::Number(written as f64)),
            Err(libc::EPIPE) if fd.standard() => Err(super::broken_pipe(ctx)),
            Err(errno) => Err(failed(ctx, -errno, "write", Target::None)),
        }
    }
}
