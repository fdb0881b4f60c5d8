//! `poll(2)` for one descriptor: waits until it is ready, for descriptors someone else set
//! non-blocking (a shared terminal or pipe, which answers `EAGAIN`).

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::fd::{Fd, InUse};

pub struct Poll {
    fd: InUse,
    events: i16,
}

impl Poll {
    /// Until `fd` is ready for `events` (`POLLIN`, `POLLOUT`); `None` if it is closed.
    pub fn new(fd: &Rc<Fd>, events: i16) -> Option<Poll> {
        Some(Poll { fd: fd.for_op()?, events })
    }
}

// SAFETY: the entry points to no memory.
unsafe impl Operation for Poll {
    fn entry(&mut self) -> squeue::Entry {
        opcode::PollAdd::new(Target(self.fd.raw()), self.events as u32).build()
    }
}
