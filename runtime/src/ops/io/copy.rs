//! `copy(from, to)` between two descriptors, driven by completions: each read's completion
//! submits the write of what arrived, and each write's completion the next read, without
//! resuming the fiber that called `copy` — it waits ([`wait_handler`]) until end of stream, an
//! error or its cancellation. Bytes move from a provided buffer straight to the send; they
//! never reach JS, and a message costs no fiber switch. Safe code over the operations: the
//! handler only submits them and takes them back.

use std::{cell::Cell, rc::Rc};

use rquickjs::{Ctx, Result};

use super::{cancelled, closed, descriptor, failed};
use crate::{
    js::{
        errors::Target,
        raw_op::{Args, RawOp, Return},
    },
    scheduler::{handler_token, task::TaskId, wait_handler, with, Handler, HandlerId, Scheduler},
    uring::{
        buffers,
        fd::Fd,
        op::{AnyOp, Completion, Data, Poll, Read, Recv, Send, Write, CURRENT},
        OpId,
    },
};

pub fn register(ops: &super::super::Ops<'_>) -> Result<()> {
    ops.add_raw::<OpIoCopy>()
}

/// Errors that mean the other end went away (lib/io.ts knows the same list).
const PEER_GONE: [i32; 4] = [libc::ECONNRESET, libc::EPIPE, libc::ECONNABORTED, libc::ETIMEDOUT];

/// How a copy ended.
#[derive(Clone, Copy)]
enum End {
    /// End of stream: the bytes copied.
    Done(usize),
    /// The system's error (negative errno) and the call that failed.
    Failed(i32, &'static str),
    Cancelled,
}

/// `op_io_copy(from, to)`: copies until end of stream without passing the bytes through JS;
/// the bytes copied.
struct OpIoCopy;

impl RawOp for OpIoCopy {
    const NAME: &'static std::ffi::CStr = c"op_io_copy";
    const LENGTH: i32 = 2;

    fn call<'js>(args: Args<'_, 'js>) -> Result<Return> {
        let ctx = &args.ctx;
        let what = "an open socket, file or standard stream (after split(), the halves)";
        let from = descriptor(ctx, &args.value(0), what)?;
        let to = descriptor(ctx, &args.value(1), what)?;
        copy(ctx, from, to).map(|n| Return::Number(n as f64))
    }
}

fn copy(ctx: &Ctx<'_>, from: Rc<Fd>, to: Rc<Fd>) -> Result<usize> {
    if from.get().is_none() || to.get().is_none() {
        return Err(closed(ctx, if from.get().is_none() { "read" } else { "write" }));
    }
    let end = Rc::new(Cell::new(None));
    let started = with(|s| Copy::start(s, from, to, end.clone()));
    wait_handler(started.ok_or_else(|| cancelled(ctx))?);
    match end.get() {
        Some(End::Done(total)) => Ok(total),
        Some(End::Failed(result, syscall)) => Err(failed(ctx, result, syscall, Target::None)),
        Some(End::Cancelled) | None => Err(cancelled(ctx)),
    }
}

enum Step {
    Reading,
    Writing,
    /// Waiting for a descriptor someone else made non-blocking to be ready, then reading (or
    /// writing) again.
    Polling {
        then_write: bool,
    },
}

struct Copy {
    from: Rc<Fd>,
    to: Rc<Fd>,
    fiber: TaskId,
    step: Step,
    /// Bytes read and not yet all written (with the write while it is in flight).
    chunk: Option<Data>,
    written: usize,
    total: usize,
    /// The next read brings its own buffer: the provided ones ran out.
    fallback: bool,
    op: Option<OpId>,
    cancelled: bool,
    end: Rc<Cell<Option<End>>>,
}

impl Copy {
    /// Starts copying for the running fiber: the handler it then waits for, or `None` when it
    /// is cancelled already.
    fn start(s: &mut Scheduler, from: Rc<Fd>, to: Rc<Fd>, end: Rc<Cell<Option<End>>>) -> Option<HandlerId> {
        let fiber = s.current().filter(|_| !s.current_cancelled())?;
        // Bytes an earlier read kept (see `Fd::leftover`) go first.
        let leftover = std::mem::take(&mut *from.leftover.borrow_mut());
        let step = if leftover.is_empty() { Step::Reading } else { Step::Writing };
        let chunk = (!leftover.is_empty()).then_some(Data::Own(leftover));
        let mut copy = Copy {
            from,
            to,
            fiber,
            step,
            chunk,
            written: 0,
            total: 0,
            fallback: false,
            op: None,
            cancelled: false,
            end,
        };
        Some(s.add_handler(|s, me| match copy.next(s, me) {
            Ok(()) => Some(Box::new(copy)),
            Err(end) => {
                copy.finish(s, end);
                None
            }
        }))
    }

    /// Submits the next operation, or says why the copy cannot go on.
    fn next(&mut self, s: &mut Scheduler, me: HandlerId) -> std::result::Result<(), End> {
        let token = handler_token(me);
        let closed = |syscall| End::Failed(-libc::EBADF, syscall);
        let id = match self.step {
            Step::Reading if self.from.socket => {
                let op = if std::mem::take(&mut self.fallback) {
                    Recv::own(&self.from, buffers::SIZE)
                } else {
                    Recv::provided(&self.from, buffers::SIZE)
                };
                s.ring.submit(token, op.ok_or(closed("read"))?)
            }
            Step::Reading => {
                let op = Read::new(&self.from, Vec::with_capacity(buffers::SIZE), buffers::SIZE, CURRENT);
                s.ring.submit(token, op.ok_or(closed("read"))?)
            }
            Step::Polling { then_write } => {
                let (fd, events, syscall) =
                    if then_write { (&self.to, libc::POLLOUT, "write") } else { (&self.from, libc::POLLIN, "read") };
                s.ring.submit(token, Poll::new(fd, events).ok_or(closed(syscall))?)
            }
            Step::Writing => {
                if self.to.get().is_none() {
                    return Err(closed("write"));
                }
                let data = self.chunk.take().unwrap_or(Data::Own(Vec::new()));
                let written = self.written;
                if self.to.socket {
                    s.ring.submit(token, Send::new(&self.to, data, written).ok_or(closed("write"))?)
                } else {
                    s.ring.submit(token, Write::new(&self.to, data, written, CURRENT).ok_or(closed("write"))?)
                }
            }
        };
        self.op = Some(id);
        Ok(())
    }

    /// The completion of the operation in flight: what to do next, or how the copy ended.
    fn advance(&mut self, done: Completion, op: AnyOp) -> std::result::Result<(), End> {
        let result = done.result;
        match self.step {
            Step::Polling { then_write } => {
                self.step = if then_write { Step::Writing } else { Step::Reading };
                if result < 0 {
                    return Err(self.failure(result));
                }
            }
            Step::Reading if result == -libc::ENOBUFS => self.fallback = true,
            Step::Reading if result == -libc::EAGAIN => self.step = Step::Polling { then_write: false },
            Step::Reading if result < 0 => return Err(self.failure(result)),
            Step::Reading => {
                let data = match op {
                    AnyOp::Recv(op) => op.received(done),
                    AnyOp::Read(op) => Data::Own(op.into_buf(done)),
                    _ => Data::Own(Vec::new()),
                };
                // End of stream; a provided buffer that came with it goes back as it drops.
                if result == 0 {
                    return Err(End::Done(self.total));
                }
                self.chunk = Some(data);
                self.written = 0;
                self.step = Step::Writing;
            }
            Step::Writing => {
                self.chunk = match op {
                    AnyOp::Send(op) => Some(op.into_data()),
                    AnyOp::Write(op) => Some(op.into_data()),
                    _ => None,
                };
                match result {
                    e if e == -libc::EAGAIN => self.step = Step::Polling { then_write: true },
                    e if e < 0 => return Err(self.failure(e)),
                    0 => return Err(self.failure(-libc::EIO)),
                    n => {
                        self.written += n as usize;
                        let len = self.chunk.as_ref().map_or(0, |data| data.bytes().len());
                        if self.written >= len {
                            self.total += len;
                            self.chunk = None; // a provided buffer goes back to the kernel
                            self.step = Step::Reading;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn failure(&self, result: i32) -> End {
        let reading = matches!(self.step, Step::Reading | Step::Polling { then_write: false });
        match result {
            // A peer that reset the connection or went away ends the stream: for an echo
            // server or a proxy that is how connections end, not a failure of the program.
            e if PEER_GONE.contains(&-e) => End::Done(self.total),
            e if e == -libc::ECANCELED && self.cancelled => End::Cancelled,
            // Cancelled by a close of the descriptor the step was using.
            e if e == -libc::ECANCELED => End::Failed(-libc::EBADF, if reading { "read" } else { "write" }),
            e => End::Failed(e, if reading { "read" } else { "write" }),
        }
    }

    /// Ends the copy and wakes its fiber. Bytes read and not yet written go back to the
    /// source's leftover, so that a later read of it returns them: a copy that ends early
    /// loses nothing it took from its source.
    fn finish(&mut self, s: &mut Scheduler, end: End) {
        if let Some(chunk) = self.chunk.take() {
            let bytes = chunk.bytes();
            let unwritten = &bytes[self.written.min(bytes.len())..];
            self.from.leftover.borrow_mut().splice(0..0, unwritten.iter().copied());
        }
        self.end.set(Some(end));
        s.wake_handler_waiter(self.fiber);
    }
}

impl Handler for Copy {
    fn completed(&mut self, s: &mut Scheduler, me: HandlerId, op: OpId) -> bool {
        if self.op != Some(op) {
            return false;
        }
        let Some((done, back)) = s.ring.take(op) else { return false };
        self.op = None;
        let next = match self.advance(done, back) {
            Ok(()) if self.cancelled => Err(End::Cancelled),
            Ok(()) => self.next(s, me),
            Err(end) => Err(end),
        };
        match next {
            Ok(()) => false,
            Err(end) => {
                self.finish(s, end);
                true
            }
        }
    }

    fn cancel(&mut self, s: &mut Scheduler) {
        self.cancelled = true;
        if let Some(op) = self.op {
            s.ring.cancel(op);
        }
    }
}
