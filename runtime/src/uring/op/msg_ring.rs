//! `IORING_OP_MSG_RING`: rings another thread's ring. The kernel posts a completion whose
//! `user_data` is [`DOORBELL`] into the target ring — waking its thread if it waits in the
//! kernel — and this operation's own completion says whether that worked. What a doorbell
//! announces (messages in a queue) is not the ring's business.

use std::{
    os::fd::{AsRawFd, OwnedFd},
    sync::Arc,
};

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::ring::DOORBELL;

pub struct MsgRing {
    /// The target ring (a [`Ring::share`](crate::uring::Ring::share) of it), kept open until
    /// the completion.
    target: Arc<OwnedFd>,
}

impl MsgRing {
    pub fn new(target: &Arc<OwnedFd>) -> MsgRing {
        MsgRing { target: target.clone() }
    }
}

// SAFETY: the entry points to no memory; the target's descriptor is the operation's to keep.
unsafe impl Operation for MsgRing {
    fn entry(&mut self) -> squeue::Entry {
        opcode::MsgRingData::new(Target(self.target.as_raw_fd()), 0, DOORBELL, None).build()
    }
}
