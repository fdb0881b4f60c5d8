//! `sendmsg(2)` and `recvmsg(2)`: datagrams to and from any address (UDP).

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::{Completion, Operation};
use crate::uring::{
    fd::{Fd, InUse},
    sys::addr::SockAddr,
};

/// A message header with its one buffer and the address, boxed together so the pointers inside
/// stay valid while the kernel uses them.
struct Message {
    header: libc::msghdr,
    iov: libc::iovec,
    addr: SockAddr,
}

impl Message {
    fn new(addr: SockAddr, buf: *mut u8, len: usize) -> Box<Message> {
        // SAFETY: all-zero is a valid msghdr.
        let header: libc::msghdr = unsafe { std::mem::zeroed() };
        let mut message = Box::new(Message { header, iov: libc::iovec { iov_base: buf.cast(), iov_len: len }, addr });
        message.header.msg_name = &mut message.addr.storage as *mut _ as *mut libc::c_void;
        message.header.msg_namelen = message.addr.len;
        message.header.msg_iov = &mut message.iov;
        message.header.msg_iovlen = 1;
        message
    }
}

pub struct SendMsg {
    socket: InUse,
    /// Declared before `data`, whose memory it points to.
    message: Box<Message>,
    _data: Vec<u8>,
}

impl SendMsg {
    /// One datagram of `data` to `to`; `None` if the socket is closed.
    pub fn new(socket: &Rc<Fd>, mut data: Vec<u8>, to: SockAddr) -> Option<SendMsg> {
        let message = Message::new(to, data.as_mut_ptr(), data.len());
        Some(SendMsg { socket: socket.for_op()?, message, _data: data })
    }
}

// SAFETY: the header points into the boxed message (its address and iovec) and to the data,
// a vector the operation owns; both stay put while the operation lives.
unsafe impl Operation for SendMsg {
    fn entry(&mut self) -> squeue::Entry {
        opcode::SendMsg::new(Target(self.socket.raw()), &self.message.header).build()
    }
}

pub struct RecvMsg {
    socket: InUse,
    message: Box<Message>,
    buf: Vec<u8>,
}

impl RecvMsg {
    /// One datagram of at most `len` bytes; `None` if the socket is closed.
    pub fn new(socket: &Rc<Fd>, len: usize) -> Option<RecvMsg> {
        let mut buf = Vec::with_capacity(len);
        let message = Message::new(SockAddr::empty(), buf.as_mut_ptr(), buf.capacity());
        Some(RecvMsg { socket: socket.for_op()?, message, buf })
    }

    /// The datagram and its sender, once the operation completed with `done.result ≥ 0`.
    pub fn received(mut self, done: Completion) -> (Vec<u8>, SockAddr) {
        let n = (done.result.max(0) as usize).min(self.buf.capacity());
        // SAFETY: the kernel wrote `n` bytes into the buffer's capacity.
        unsafe { self.buf.set_len(n) };
        let mut from = self.message.addr;
        from.len = self.message.header.msg_namelen;
        (self.buf, from)
    }
}

// SAFETY: as for `SendMsg`: the boxed message and the operation's own buffer.
unsafe impl Operation for RecvMsg {
    fn entry(&mut self) -> squeue::Entry {
        opcode::RecvMsg::new(Target(self.socket.raw()), &mut self.message.header).build()
    }
}
