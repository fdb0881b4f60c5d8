//! UDP sockets: datagrams sent to and received from any address, through the ring's
//! `sendmsg`/`recvmsg` (the message header, address and buffer are owned by the operation).

use rquickjs::{convert::List, Ctx, Result, Value};

use super::{address, fd_of, socket};
use crate::{
    js::{
        bytes::{uint8_array_len, with_uint8_array},
        errors::{self, throw_sys, Target},
        native,
    },
    ops::{
        io::{cancelled, closed, failed},
        Ops,
    },
    scheduler::wait,
    uring::{
        op::{RecvMsg, SendMsg},
        sys::net,
    },
};

/// The largest datagram (IPv4's and IPv6's limit without jumbograms).
const MAX_DATAGRAM: usize = 65_536;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_net_udp_bind", op_net_udp_bind)?;
    ops.add("op_net_send_to", op_net_send_to)?;
    ops.add("op_net_recv_from", op_net_recv_from)
}

fn op_net_udp_bind<'js>(ctx: Ctx<'js>, host: String, port: u16, reuse_port: bool) -> Result<Value<'js>> {
    let addr = address(&ctx, &host, port, false)?;
    let fd = socket(&ctx, &addr, libc::SOCK_DGRAM)?;
    if reuse_port {
        net::set_option(fd.raw(), libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)
            .map_err(|errno| throw_sys(&ctx, errno, "setsockopt", Target::None))?;
    }
    if addr.family() == libc::AF_INET6 && host.trim_matches(['[', ']']) == "::" {
        // "::" reaches IPv4 addresses too (as ::ffff:a.b.c.d).
        let _ = net::set_option(fd.raw(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0);
    }
    net::bind(fd.raw(), &addr).map_err(|errno| throw_sys(&ctx, errno, "bind", Target::Address(&host, port)))?;
    native::wrap(&ctx, fd)
}

/// Sends one datagram to `host:port` (numeric); the bytes sent.
fn op_net_send_to<'js>(ctx: Ctx<'js>, socket: Value<'js>, data: Value<'js>, host: String, port: u16) -> Result<usize> {
    let fd = fd_of(&ctx, &socket)?;
    let addr = address(&ctx, &host, port, false)?;
    let buf = with_uint8_array(&ctx, &data, |bytes| errors::copy_of(&ctx, bytes, "a datagram"))??;
    let op = SendMsg::new(&fd, buf, addr).ok_or_else(|| closed(&ctx, "sendto"))?;
    let (done, _) = wait(op).map_err(|_| cancelled(&ctx))?;
    match done.result {
        e if e == -libc::ECANCELED => Err(failed(&ctx, e, "sendto", Target::None)),
        e if e < 0 => Err(throw_sys(&ctx, -e, "sendto", Target::Address(&host, port))),
        n => Ok(n as usize),
    }
}

/// Waits for one datagram, copied into `target` (truncated to its length):
/// `[bytes, hostname, port]` of the sender.
fn op_net_recv_from<'js>(ctx: Ctx<'js>, socket: Value<'js>, target: Value<'js>) -> Result<List<(usize, String, u16)>> {
    let fd = fd_of(&ctx, &socket)?;
    let len = uint8_array_len(&ctx, &target)?;
    let op = RecvMsg::new(&fd, len.clamp(1, MAX_DATAGRAM)).ok_or_else(|| closed(&ctx, "recvfrom"))?;
    let (done, op) = wait(op).map_err(|_| cancelled(&ctx))?;
    if done.result < 0 {
        return Err(failed(&ctx, done.result, "recvfrom", Target::None));
    }
    let (datagram, from) = op.received(done);
    let (host, port) = from.parts();
    // The target may have changed while the receive waited; it gets what fits now.
    let copied = with_uint8_array(&ctx, &target, |array| {
        let n = datagram.len().min(array.len());
        array[..n].copy_from_slice(&datagram[..n]);
        n
    })?;
    Ok(List((copied, host, port)))
}
