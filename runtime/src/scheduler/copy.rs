//! `copy(from, to)` between two descriptors, driven by completions: each read's completion
//! submits the write of what arrived, and each write's completion the next read, without
//! resuming the fiber that called `copy` — it waits parked (`Wait::Copy`) until end of stream,
//! an error or its cancellation. Bytes move from a provided buffer straight to the send; they
//! never reach JS, and a message costs no fiber switch.

use std::rc::Rc;

use super::{
    task::{Resume, TaskId, Wait},
    Scheduler,
};
use crate::uring::{
    fd::Fd,
    stream::{self, Arrived},
    Keep, OpId, Owner,
};

/// Errors that mean the other end went away (lib/io.ts knows the same list).
const PEER_GONE: [i32; 4] = [libc::ECONNRESET, libc::EPIPE, libc::ECONNABORTED, libc::ETIMEDOUT];

/// How a copy ended.
pub enum CopyEnd {
    /// End of stream: the bytes copied.
    Done(usize),
    /// The system's error (negative errno) and the call that failed.
    Failed(i32, &'static str),
    Cancelled,
}

enum Step {
    Reading,
    Writing,
    /// Waiting for a non-blocking descriptor to be ready, then reading (or writing) again.
    Polling {
        then_write: bool,
    },
}

pub struct Copy {
    from: Rc<Fd>,
    to: Rc<Fd>,
    fiber: TaskId,
    step: Step,
    /// Bytes read and not yet all written.
    chunk: Option<Arrived>,
    written: usize,
    total: usize,
    /// Reads bring their own buffer: `from` is not a socket, or no provided buffers exist.
    own: bool,
    /// The next read brings its own buffer: the provided ones ran out.
    fallback: bool,
    op: Option<OpId>,
    cancelled: bool,
    end: Option<CopyEnd>,
}

impl Scheduler {
    /// Starts copying for the running fiber, which then parks in `Wait::Copy` with the index
    /// returned; `None` when it is cancelled already.
    pub fn start_copy(&mut self, from: Rc<Fd>, to: Rc<Fd>) -> Option<u32> {
        let fiber = self.current.filter(|_| !self.current_cancelled())?;
        let own = !from.socket || self.ring.buffers.is_none();
        // Bytes an earlier read kept (see `Fd::leftover`) go first.
        let leftover = std::mem::take(&mut *from.leftover.borrow_mut());
        let chunk = (!leftover.is_empty()).then_some(Arrived::Own(leftover));
        let step = if chunk.is_some() { Step::Writing } else { Step::Reading };
        let copy = Copy {
            from,
            to,
            fiber,
            step,
            chunk,
            written: 0,
            total: 0,
            own,
            fallback: false,
            op: None,
            cancelled: false,
            end: None,
        };
        let index = match self.free_copies.pop() {
            Some(free) => {
                self.copies[free as usize] = Some(copy);
                free
            }
            None => {
                self.copies.push(Some(copy));
                self.copies.len() as u32 - 1
            }
        };
        self.copy_next(index);
        Some(index)
    }

    /// Whether copy `index` has ended (it can, before its fiber parks, when a descriptor is
    /// closed already).
    pub fn copy_ended(&self, index: u32) -> bool {
        self.copies.get(index as usize).and_then(Option::as_ref).is_none_or(|c| c.end.is_some())
    }

    /// How copy `index` ended, once it has (the fiber was woken).
    pub fn finish_copy(&mut self, index: u32) -> CopyEnd {
        let copy = self.copies.get_mut(index as usize).and_then(Option::take);
        if copy.is_some() {
            self.free_copies.push(index);
        }
        copy.and_then(|c| c.end).unwrap_or(CopyEnd::Cancelled)
    }

    /// Cancelling the copying fiber cancels the operation in flight; the copy ends when its
    /// completion arrives.
    pub(super) fn cancel_copy(&mut self, index: u32) {
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        copy.cancelled = true;
        if let Some(op) = copy.op {
            self.ring.cancel(op);
        }
    }

    /// Submits the copy's next operation.
    fn copy_next(&mut self, index: u32) {
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        let owner = Owner::Copy(index);
        let (fd, syscall) = match copy.step {
            Step::Reading | Step::Polling { then_write: false } => (copy.from.clone(), "read"),
            Step::Writing | Step::Polling { then_write: true } => (copy.to.clone(), "write"),
        };
        let Some(raw) = fd.get() else {
            return self.end_copy(index, CopyEnd::Failed(-libc::EBADF, syscall));
        };
        let mut keep = Keep { fd: Some(fd.begin()), ..Keep::default() };
        let entry = match copy.step {
            Step::Reading => {
                let provided = !copy.own && !std::mem::take(&mut copy.fallback);
                stream::read(&fd, raw, &mut keep, stream::OWN_BUFFER, provided)
            }
            Step::Polling { then_write } => stream::ready(raw, if then_write { libc::POLLOUT } else { libc::POLLIN }),
            Step::Writing => {
                let (ptr, len) = match &mut copy.chunk {
                    Some(Arrived::Provided(bid, n)) => match self.ring.buffers.as_ref() {
                        Some(buffers) => (buffers.get(*bid, *n).as_ptr(), *n),
                        None => return self.end_copy(index, CopyEnd::Failed(-libc::EIO, syscall)),
                    },
                    Some(Arrived::Own(bytes)) => {
                        // The operation owns the bytes while the kernel reads them.
                        keep.buf = std::mem::take(bytes);
                        (keep.buf.as_ptr(), keep.buf.len())
                    }
                    None => return self.end_copy(index, CopyEnd::Failed(-libc::EIO, syscall)),
                };
                // SAFETY: within the chunk.
                stream::write(&fd, raw, unsafe { ptr.add(copy.written) }, len - copy.written)
            }
        };
        // SAFETY: the entry points into `keep.buf`, or into a provided buffer that stays ours
        // until the chunk is written and given back.
        copy.op = Some(unsafe { self.ring.start(owner, keep, entry) });
    }

    /// A completion of copy `index` arrived: the next step, or the end.
    pub(super) fn copy_completed(&mut self, index: u32, op: OpId) {
        let Some((done, keep)) = self.ring.take(op) else { return };
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        if copy.op != Some(op) {
            return; // not this copy's (a slot reused): nothing to do with it
        }
        copy.op = None;
        let result = done.result;
        match copy.step {
            Step::Polling { then_write } => {
                copy.step = if then_write { Step::Writing } else { Step::Reading };
                if result < 0 {
                    return self.copy_failed(index, result);
                }
            }
            Step::Reading if result == -libc::ENOBUFS && !copy.own => copy.fallback = true,
            Step::Reading if result == -libc::EAGAIN => copy.step = Step::Polling { then_write: false },
            Step::Reading if result < 0 => return self.copy_failed(index, result),
            Step::Reading if result == 0 => {
                let total = copy.total;
                // End of stream; a provided buffer that came with it goes back.
                if let Arrived::Provided(bid, _) = stream::arrived(done, keep) {
                    self.give_back(bid);
                }
                return self.end_copy(index, CopyEnd::Done(total));
            }
            Step::Reading => {
                copy.chunk = Some(stream::arrived(done, keep));
                copy.written = 0;
                copy.step = Step::Writing;
            }
            Step::Writing => {
                if let (Some(Arrived::Own(bytes)), true) = (&mut copy.chunk, !keep.buf.is_empty()) {
                    *bytes = keep.buf;
                }
                match result {
                    e if e == -libc::EAGAIN => copy.step = Step::Polling { then_write: true },
                    e if e < 0 => return self.copy_failed(index, e),
                    0 => return self.copy_failed(index, -libc::EIO),
                    n => {
                        copy.written += n as usize;
                        let len = match &copy.chunk {
                            Some(Arrived::Provided(_, n)) => *n,
                            Some(Arrived::Own(bytes)) => bytes.len(),
                            None => 0,
                        };
                        if copy.written >= len {
                            copy.total += len;
                            let chunk = copy.chunk.take();
                            copy.step = Step::Reading;
                            if let Some(Arrived::Provided(bid, _)) = chunk {
                                self.give_back(bid);
                            }
                        }
                    }
                }
            }
        }
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        if copy.cancelled {
            return self.end_copy(index, CopyEnd::Cancelled);
        }
        self.copy_next(index);
    }

    fn copy_failed(&mut self, index: u32, result: i32) {
        let Some(copy) = self.copies.get(index as usize).and_then(Option::as_ref) else { return };
        let end = match copy.step {
            // A peer that reset the connection or went away ends the stream: for an echo
            // server or a proxy that is how connections end, not a failure of the program.
            _ if PEER_GONE.contains(&-result) => CopyEnd::Done(copy.total),
            _ if result == -libc::ECANCELED && copy.cancelled => CopyEnd::Cancelled,
            // Cancelled by a close of the descriptor the step was using.
            Step::Reading | Step::Polling { then_write: false } if result == -libc::ECANCELED => {
                CopyEnd::Failed(-libc::EBADF, "read")
            }
            _ if result == -libc::ECANCELED => CopyEnd::Failed(-libc::EBADF, "write"),
            Step::Reading | Step::Polling { then_write: false } => CopyEnd::Failed(result, "read"),
            Step::Writing | Step::Polling { then_write: true } => CopyEnd::Failed(result, "write"),
        };
        self.end_copy(index, end);
    }

    /// Ends copy `index` and wakes its fiber. Bytes read and not yet written go back to the
    /// source's leftover, so that a later read of it returns them: a copy that ends early
    /// loses nothing it took from its source.
    fn end_copy(&mut self, index: u32, end: CopyEnd) {
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        if let Some(chunk) = copy.chunk.take() {
            let unwritten = match &chunk {
                Arrived::Provided(bid, n) => {
                    self.ring.buffers.as_ref().map(|b| b.get(*bid, *n)[copy.written.min(*n)..].to_vec())
                }
                Arrived::Own(bytes) => Some(bytes[copy.written.min(bytes.len())..].to_vec()),
            };
            copy.from.leftover.borrow_mut().splice(0..0, unwritten.unwrap_or_default());
            if let Arrived::Provided(bid, _) = chunk {
                self.give_back(bid);
            }
        }
        let Some(copy) = self.copies.get_mut(index as usize).and_then(Option::as_mut) else { return };
        copy.end = Some(end);
        let fiber = copy.fiber;
        if self.tasks.fiber(fiber).is_some_and(|f| f.wait == Wait::Copy(index)) {
            self.wake(fiber, Resume::Normal);
        }
    }

    fn give_back(&mut self, bid: u16) {
        if let Some(buffers) = self.ring.buffers.as_mut() {
            buffers.give_back(bid);
        }
    }
}
