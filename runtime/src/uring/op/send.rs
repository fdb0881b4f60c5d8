//! `send(2)` on a socket, with `MSG_NOSIGNAL`: a peer that went away is an `EPIPE` error, not a
//! signal.

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::{Data, Operation};
use crate::uring::fd::{Fd, InUse};

pub struct Send {
    socket: InUse,
    data: Data,
    /// Where in `data` the bytes to send start (a short send is continued from there).
    at: usize,
}

impl Send {
    /// Sends `data[at..]`; `None` if the socket is closed.
    pub fn new(socket: &Rc<Fd>, data: Data, at: usize) -> Option<Send> {
        let at = at.min(data.bytes().len());
        Some(Send { socket: socket.for_op()?, data, at })
    }

    /// The data back, once the send completed.
    pub fn into_data(self) -> Data {
        self.data
    }
}

// SAFETY: the entry points into `data` (a vector or a provided buffer the operation owns).
unsafe impl Operation for Send {
    fn entry(&mut self) -> squeue::Entry {
        let bytes = &self.data.bytes()[self.at..];
        let len = bytes.len().min(u32::MAX as usize) as u32;
        opcode::Send::new(Target(self.socket.raw()), bytes.as_ptr(), len).flags(libc::MSG_NOSIGNAL).build()
    }
}
