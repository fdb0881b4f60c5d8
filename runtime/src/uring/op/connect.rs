//! `connect(2)`.

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::{
    fd::{Fd, InUse},
    sys::addr::SockAddr,
};

pub struct Connect {
    socket: InUse,
    /// The address (boxed: the kernel may read it after submission).
    addr: Box<SockAddr>,
}

impl Connect {
    /// `None` if the socket is closed.
    pub fn new(socket: &Rc<Fd>, addr: SockAddr) -> Option<Connect> {
        Some(Connect { socket: socket.for_op()?, addr: Box::new(addr) })
    }
}

// SAFETY: the address points into the boxed `addr`, owned by the operation.
unsafe impl Operation for Connect {
    fn entry(&mut self) -> squeue::Entry {
        opcode::Connect::new(Target(self.socket.raw()), self.addr.as_ptr(), self.addr.len).build()
    }
}
