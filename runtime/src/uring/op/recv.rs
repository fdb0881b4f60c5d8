//! `recv(2)` from a socket: into a buffer the kernel picks from the provided-buffer ring when
//! data arrives, so a connection waiting for data holds none; or into one of the operation's
//! own (no provided buffers, or every one of them in use: `ENOBUFS`).

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::{Completion, Data, Operation};
use crate::uring::{
    buffers::{self, Buffers},
    fd::{Fd, InUse},
};

pub struct Recv {
    socket: InUse,
    len: u32,
    from: From,
}

enum From {
    /// A provided buffer of the ring's: attached when it is submitted ([`Recv::attach`]).
    Ring(Option<Rc<Buffers>>),
    Own(Vec<u8>),
}

impl Recv {
    /// At most `len` bytes into a provided buffer (at most one buffer's worth), or into a
    /// buffer of its own where the ring has none; `None` if the socket is closed.
    pub fn provided(socket: &Rc<Fd>, len: usize) -> Option<Recv> {
        let len = len.min(buffers::SIZE) as u32;
        Some(Recv { socket: socket.for_op()?, len, from: From::Ring(None) })
    }

    /// At most `len` bytes into a buffer of the operation's own, allocated here (all provided
    /// buffers were in use: `ENOBUFS`).
    pub fn own(socket: &Rc<Fd>, len: usize) -> Option<Recv> {
        let socket = socket.for_op()?;
        Some(Recv { socket, len: len.min(u32::MAX as usize) as u32, from: From::Own(Vec::with_capacity(len)) })
    }

    /// The ring's provided buffers, for a receive that wants them.
    pub(crate) fn attach(&mut self, buffers: Option<&Rc<Buffers>>) {
        if let From::Ring(attached @ None) = &mut self.from {
            match buffers {
                Some(buffers) => *attached = Some(buffers.clone()),
                None => self.from = From::Own(Vec::with_capacity(self.len as usize)),
            }
        }
    }

    /// What a receive that completed with `done.result ≥ 0` bytes brought: a provided buffer
    /// (which goes back to the kernel when dropped), or the operation's own.
    pub fn received(self, done: Completion) -> Data {
        let n = done.result.max(0) as usize;
        match self.from {
            From::Ring(buffers) => match buffers.and_then(|b| b.arrived(done.flags, n)) {
                Some(provided) => Data::Provided(provided),
                None => Data::Own(Vec::new()), // end of stream: the kernel picked no buffer
            },
            From::Own(mut bytes) => {
                // SAFETY: the kernel wrote `n` bytes into the buffer's capacity.
                unsafe { bytes.set_len(n.min(bytes.capacity())) };
                Data::Own(bytes)
            }
        }
    }
}

// SAFETY: with a provided buffer the entry has no pointer (the kernel picks a buffer of the
// ring's, which the operation keeps alive); otherwise it points into the spare capacity of the
// operation's own vector.
unsafe impl Operation for Recv {
    fn entry(&mut self) -> squeue::Entry {
        let target = Target(self.socket.raw());
        match &mut self.from {
            From::Ring(_) => opcode::Recv::new(target, std::ptr::null_mut(), self.len)
                .buf_group(buffers::GROUP)
                .build()
                .flags(squeue::Flags::BUFFER_SELECT),
            From::Own(bytes) => {
                let len = self.len.min(bytes.capacity() as u32);
                opcode::Recv::new(target, bytes.as_mut_ptr(), len).build()
            }
        }
    }
}
