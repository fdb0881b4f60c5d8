//! Ops of `uringy:net`: TCP and Unix listeners and streams, UDP sockets. Calls that can wait
//! (accept, connect, send, receive) go through the ring; those that never wait (socket, bind,
//! listen, options, addresses, shutdown) are direct system calls — io_uring gained bind and
//! listen only in Linux 6.11, and a direct call costs less than a trip through the ring.

mod addr;
mod udp;

use crate::ops::errors;
use std::{mem, os::fd::RawFd, rc::Rc};

use io_uring::{opcode, types::Fd as Target};
use rquickjs::{convert::List, function::Opt, Ctx, Result, Value};

use self::addr::SockAddr;
use super::{
    descriptor,
    errors::{throw_sys, Target as ErrorTarget},
    io::{cancelled, closed, failed},
    Ops,
};
use crate::{scheduler::io, uring::fd::Fd, uring::Keep};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_net_listen", op_net_listen)?;
    ops.add("op_net_accept", op_net_accept)?;
    ops.add("op_net_connect", op_net_connect)?;
    ops.add("op_net_address", op_net_address)?;
    ops.add("op_net_set_nodelay", op_net_set_nodelay)?;
    ops.add("op_net_shutdown", op_net_shutdown)?;
    udp::register(ops)
}

/// The descriptor held by a `Descriptor` argument.
fn fd_of<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Rc<Fd>> {
    descriptor::get(value.as_raw()).ok_or_else(|| errors::type_error(ctx, "expected a socket"))
}

/// The kernel's address for `host`/`port`, or for a Unix socket path (`unix`).
fn address(ctx: &Ctx<'_>, host: &str, port: u16, unix: bool) -> Result<SockAddr> {
    let addr = if unix { SockAddr::unix(host) } else { SockAddr::ip(host, port) };
    addr.ok_or_else(|| {
        let what = if unix { "Unix socket path (at most 107 bytes, no NUL)" } else { "IP address" };
        errors::type_error(ctx, &format!("{host:?} is not a valid {what}"))
    })
}

/// A new socket of `addr`'s family, owned at once so that no error path leaks it.
fn socket(ctx: &Ctx<'_>, addr: &SockAddr, kind: i32) -> Result<Rc<Fd>> {
    // SAFETY: a plain syscall.
    let raw = unsafe { libc::socket(addr.family(), kind | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(throw_sys(ctx, errno(), "socket", ErrorTarget::None));
    }
    Ok(Fd::new(raw, true))
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

fn set_option(fd: RawFd, level: i32, name: i32, value: i32) -> std::io::Result<()> {
    // SAFETY: an int option, passed by pointer with its size.
    let result = unsafe {
        libc::setsockopt(fd, level, name, &value as *const i32 as *const libc::c_void, mem::size_of::<i32>() as _)
    };
    if result < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Binds a TCP (or, with `unix`, a Unix stream) socket and listens on it.
fn op_net_listen<'js>(
    ctx: Ctx<'js>,
    host: String,
    port: u16,
    unix: bool,
    backlog: i32,
    reuse_port: bool,
) -> Result<Value<'js>> {
    let addr = address(&ctx, &host, port, unix)?;
    let fd = socket(&ctx, &addr, libc::SOCK_STREAM)?;
    let raw = fd.raw();
    let mut options = Vec::new();
    if !unix {
        // A restarted server binds its port at once, not after TIME_WAIT.
        options.push((libc::SOL_SOCKET, libc::SO_REUSEADDR, 1));
        if reuse_port {
            options.push((libc::SOL_SOCKET, libc::SO_REUSEPORT, 1));
        }
        if addr.family() == libc::AF_INET6 && host.trim_matches(['[', ']']) == "::" {
            // "::" takes IPv4 connections too, as in Node.
            options.push((libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0));
        }
    }
    for (level, name, value) in options {
        if let Err(e) = set_option(raw, level, name, value) {
            return Err(throw_sys(&ctx, e.raw_os_error().unwrap_or(libc::EIO), "setsockopt", ErrorTarget::None));
        }
    }
    let target = ErrorTarget::Address(&host, port);
    // SAFETY: binding to an address we built; listen on our socket.
    if unsafe { libc::bind(raw, addr.as_ptr(), addr.len) } < 0 {
        return Err(throw_sys(&ctx, errno(), "bind", target));
    }
    // SAFETY: as above.
    if unsafe { libc::listen(raw, backlog) } < 0 {
        return Err(throw_sys(&ctx, errno(), "listen", target));
    }
    descriptor::wrap(&ctx, fd)
}

/// Waits for a connection on a listener: `[socket, peer hostname, peer port]`. The peer's
/// address comes with the connection (the kernel writes it), so a stream knows it even once
/// the peer has reset (`getpeername` then fails with ENOTCONN).
fn op_net_accept<'js>(ctx: Ctx<'js>, listener: Value<'js>) -> Result<List<(Value<'js>, String, u16)>> {
    let listener = fd_of(&ctx, &listener)?;
    let raw = listener.get().ok_or_else(|| closed(&ctx, "accept"))?;
    let mut peer = Box::new(SockAddr::empty());
    let entry = opcode::Accept::new(Target(raw), &mut peer.storage as *mut _ as *mut libc::sockaddr, &mut peer.len)
        .flags(libc::SOCK_CLOEXEC)
        .build();
    let keep = Keep { fd: Some(listener.begin()), extra: Some(peer), ..Keep::default() };
    // SAFETY: the entry points into the boxed address, which the operation owns.
    let (done, keep) = unsafe { io(&ctx, keep, entry) }.ok_or_else(|| cancelled(&ctx))?;
    if done.result < 0 {
        return Err(failed(&ctx, done.result, "accept"));
    }
    // Accepted even if the fiber was cancelled meanwhile: JS gets it (and closes it), so no
    // connection is leaked; the cancellation takes effect at the fiber's next wait.
    let stream = Fd::new(done.result, true);
    let peer = keep.extra.and_then(|p| p.downcast::<SockAddr>().ok()).map(|p| *p).unwrap_or_else(SockAddr::empty);
    if peer.family() != libc::AF_UNIX {
        let _ = set_option(done.result, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    let (hostname, port) = peer.parts();
    Ok(List((descriptor::wrap(&ctx, stream)?, hostname, port)))
}

/// Connects to `host:port` (a numeric address) or, with `unix`, to the Unix socket at `host`.
/// TCP streams start with Nagle's algorithm off (`setNoDelay(true)`), as in Deno and Bun:
/// a server's small replies go out at once.
fn op_net_connect<'js>(ctx: Ctx<'js>, host: String, port: u16, unix: bool) -> Result<Value<'js>> {
    let addr = Box::new(address(&ctx, &host, port, unix)?);
    let fd = socket(&ctx, &addr, libc::SOCK_STREAM)?;
    let raw = fd.raw();
    let entry = opcode::Connect::new(Target(raw), addr.as_ptr(), addr.len).build();
    let keep = Keep { fd: Some(fd.begin()), extra: Some(addr), ..Keep::default() };
    // SAFETY: the entry points into the boxed address, which the operation owns.
    let (done, _) = unsafe { io(&ctx, keep, entry) }.ok_or_else(|| cancelled(&ctx))?;
    if done.result < 0 {
        if done.result == -libc::ECANCELED {
            return Err(cancelled(&ctx));
        }
        return Err(throw_sys(&ctx, -done.result, "connect", ErrorTarget::Address(&host, port)));
    }
    if !unix {
        let _ = set_option(raw, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    descriptor::wrap(&ctx, fd)
}

/// `[hostname, port]` of a socket's local end.
fn op_net_address<'js>(ctx: Ctx<'js>, socket: Value<'js>) -> Result<List<(String, u16)>> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "getsockname"))?;
    match addr::of_socket(raw) {
        Ok(addr) => Ok(List(addr.parts())),
        Err(e) => Err(throw_sys(&ctx, e.raw_os_error().unwrap_or(libc::EIO), "getsockname", ErrorTarget::None)),
    }
}

fn op_net_set_nodelay<'js>(ctx: Ctx<'js>, socket: Value<'js>, on: bool) -> Result<()> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "setsockopt"))?;
    set_option(raw, libc::IPPROTO_TCP, libc::TCP_NODELAY, on as i32)
        .map_err(|e| throw_sys(&ctx, e.raw_os_error().unwrap_or(libc::EIO), "setsockopt", ErrorTarget::None))
}

/// Ends our sending side (the peer reads end of stream), or (`reading`) our receiving side (a
/// read waiting on it returns end of stream). A socket whose peer is gone already (ENOTCONN)
/// has nothing left to end.
fn op_net_shutdown<'js>(ctx: Ctx<'js>, socket: Value<'js>, reading: Opt<bool>) -> Result<()> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "shutdown"))?;
    let how = if reading.0 == Some(true) { libc::SHUT_RD } else { libc::SHUT_WR };
    // SAFETY: a plain syscall on our socket.
    if unsafe { libc::shutdown(raw, how) } < 0 && errno() != libc::ENOTCONN {
        return Err(throw_sys(&ctx, errno(), "shutdown", ErrorTarget::None));
    }
    Ok(())
}
