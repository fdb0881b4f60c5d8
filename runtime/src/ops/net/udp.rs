//! UDP sockets: datagrams sent to and received from any address, through the ring's
//! `sendmsg`/`recvmsg` (the message header, address and buffer are owned by the operation).

use std::mem;

use io_uring::{opcode, types::Fd as Target};
use rquickjs::{convert::List, Ctx, Result, Value};

use super::{address, errno, fd_of, set_option, socket, SockAddr};
use crate::{
    ops::{
        descriptor,
        errors::{self, throw_sys, Target as ErrorTarget},
        io::{cancelled, closed, failed},
        raw::uint8_array,
        Ops,
    },
    scheduler::io,
    uring::Keep,
};

/// The largest datagram (IPv4's and IPv6's limit without jumbograms).
const MAX_DATAGRAM: usize = 65_536;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_net_udp_bind", op_net_udp_bind)?;
    ops.add("op_net_send_to", op_net_send_to)?;
    ops.add("op_net_recv_from", op_net_recv_from)
}

/// A message header with the one buffer and the address it points to, boxed together so the
/// pointers inside stay valid while the kernel uses them.
struct Message {
    header: libc::msghdr,
    iov: libc::iovec,
    addr: SockAddr,
}

impl Message {
    fn new(addr: SockAddr, buf: *mut u8, len: usize) -> Box<Message> {
        // SAFETY: all-zero is a valid msghdr.
        let header: libc::msghdr = unsafe { mem::zeroed() };
        let mut message = Box::new(Message { header, iov: libc::iovec { iov_base: buf.cast(), iov_len: len }, addr });
        message.header.msg_name = &mut message.addr.storage as *mut _ as *mut libc::c_void;
        message.header.msg_namelen = message.addr.len;
        message.header.msg_iov = &mut message.iov;
        message.header.msg_iovlen = 1;
        message
    }
}

fn op_net_udp_bind<'js>(ctx: Ctx<'js>, host: String, port: u16) -> Result<Value<'js>> {
    let addr = address(&ctx, &host, port, false)?;
    let fd = socket(&ctx, &addr, libc::SOCK_DGRAM)?;
    if addr.family() == libc::AF_INET6 && host.trim_matches(['[', ']']) == "::" {
        // "::" reaches IPv4 addresses too (as ::ffff:a.b.c.d).
        let _ = set_option(fd.raw(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0);
    }
    // SAFETY: binding our socket to an address we built.
    if unsafe { libc::bind(fd.raw(), addr.as_ptr(), addr.len) } < 0 {
        return Err(throw_sys(&ctx, errno(), "bind", ErrorTarget::Address(&host, port)));
    }
    descriptor::wrap(&ctx, fd)
}

/// Sends one datagram to `host:port` (numeric); the bytes sent.
fn op_net_send_to<'js>(ctx: Ctx<'js>, socket: Value<'js>, data: Value<'js>, host: String, port: u16) -> Result<usize> {
    let fd = fd_of(&ctx, &socket)?;
    let addr = address(&ctx, &host, port, false)?;
    let (bytes, len) = uint8_array(&ctx, data.as_raw()).ok_or(rquickjs::Error::Exception)?;
    // SAFETY: the array's memory, copied before JS runs again.
    let data = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(bytes, len) } };
    let mut buf = errors::copy_of(&ctx, data, "a datagram")?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "sendto"))?;
    let message = Message::new(addr, buf.as_mut_ptr(), buf.len());
    let entry = opcode::SendMsg::new(Target(raw), &message.header).build();
    let keep = Keep { fd: Some(fd.begin()), buf, extra: Some(message) };
    // SAFETY: the entry points into the boxed message and buffer, which the operation owns.
    let (done, _) = unsafe { io(&ctx, keep, entry) }.ok_or_else(|| cancelled(&ctx))?;
    if done.result < 0 {
        if done.result == -libc::ECANCELED {
            return Err(failed(&ctx, done.result, "sendto"));
        }
        return Err(throw_sys(&ctx, -done.result, "sendto", ErrorTarget::Address(&host, port)));
    }
    Ok(done.result as usize)
}

/// Waits for one datagram, copied into `target` (truncated to its length):
/// `[bytes, hostname, port]` of the sender.
fn op_net_recv_from<'js>(ctx: Ctx<'js>, socket: Value<'js>, target: Value<'js>) -> Result<List<(usize, String, u16)>> {
    let fd = fd_of(&ctx, &socket)?;
    let (_, len) = uint8_array(&ctx, target.as_raw()).ok_or(rquickjs::Error::Exception)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "recvfrom"))?;
    let mut buf = Vec::with_capacity(len.clamp(1, MAX_DATAGRAM));
    let mut message = Message::new(SockAddr::empty(), buf.as_mut_ptr(), buf.capacity());
    let entry = opcode::RecvMsg::new(Target(raw), &mut message.header).build();
    let keep = Keep { fd: Some(fd.begin()), buf, extra: Some(message) };
    // SAFETY: the entry points into the boxed message and buffer, which the operation owns.
    let (done, keep) = unsafe { io(&ctx, keep, entry) }.ok_or_else(|| cancelled(&ctx))?;
    if done.result < 0 {
        return Err(failed(&ctx, done.result, "recvfrom"));
    }
    let n = done.result as usize;
    let message = keep.extra.and_then(|m| m.downcast::<Message>().ok());
    let from = message.map(|m| {
        let mut addr = m.addr;
        addr.len = m.header.msg_namelen;
        addr.parts()
    });
    let (host, port) = from.unwrap_or_default();
    // The target may have changed while the receive waited; it gets what fits now.
    let (data, len) = uint8_array(&ctx, target.as_raw()).ok_or(rquickjs::Error::Exception)?;
    let copied = n.min(len);
    if copied > 0 {
        // SAFETY: both ranges are in bounds and no JS runs during the copy.
        unsafe { std::ptr::copy_nonoverlapping(keep.buf.as_ptr(), data, copied) };
    }
    Ok(List((copied, host, port)))
}
