//! `accept4(2)`: the next connection on a listening socket, and its peer's address.

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::{
    fd::{Fd, InUse},
    sys::addr::SockAddr,
};

pub struct Accept {
    listener: InUse,
    /// Where the kernel writes the peer's address (boxed: it must not move).
    peer: Box<SockAddr>,
}

impl Accept {
    /// `None` if the listener is closed.
    pub fn new(listener: &Rc<Fd>) -> Option<Accept> {
        Some(Accept { listener: listener.for_op()?, peer: Box::new(SockAddr::empty()) })
    }

    /// The peer's address, once the operation completed.
    pub fn peer(&self) -> SockAddr {
        *self.peer
    }
}

// SAFETY: the address and its length point into the boxed `peer`, owned by the operation.
unsafe impl Operation for Accept {
    fn entry(&mut self) -> squeue::Entry {
        let (addr, len) = self.peer.as_mut_parts();
        opcode::Accept::new(Target(self.listener.raw()), addr, len).flags(libc::SOCK_CLOEXEC).build()
    }
}
