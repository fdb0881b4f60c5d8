//! Ops of `uringy:net`: TCP and Unix listeners and streams, UDP sockets. Calls that can wait
//! (accept, connect, send, receive) go through the ring; those that never wait (socket, bind,
//! listen, options, addresses, shutdown) are direct system calls (`uring::sys::net`).

mod udp;

use std::{os::fd::IntoRawFd, rc::Rc};

use rquickjs::{convert::List, function::Opt, Ctx, Result, Value};

use super::{
    io::{cancelled, closed, descriptor, failed},
    thread::{self, handover},
    Ops,
};
use crate::{
    js::{
        errors::{self, throw_sys, Target},
        native,
    },
    scheduler::{wait, with},
    uring::{
        fd::Fd,
        op::{Accept, Connect},
        sys::{addr::SockAddr, net},
    },
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_net_listen", op_net_listen)?;
    ops.add("op_net_accept", op_net_accept)?;
    ops.add("op_net_unlisten", op_net_unlisten)?;
    ops.add("op_net_connect", op_net_connect)?;
    ops.add("op_net_address", op_net_address)?;
    ops.add("op_net_set_nodelay", op_net_set_nodelay)?;
    ops.add("op_net_shutdown", op_net_shutdown)?;
    udp::register(ops)
}

/// The descriptor held by a socket argument.
fn fd_of<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Rc<Fd>> {
    descriptor(ctx, value, "a socket")
}

/// The kernel's address for `host`/`port`, or for a Unix socket path (`unix`).
fn address(ctx: &Ctx<'_>, host: &str, port: u16, unix: bool) -> Result<SockAddr> {
    let addr = if unix { SockAddr::unix(host) } else { SockAddr::ip(host, port) };
    addr.ok_or_else(|| {
        let what = if unix { "Unix socket path (at most 107 bytes, no NUL)" } else { "IP address" };
        errors::type_error(ctx, &format!("{host:?} is not a valid {what}"))
    })
}

/// A new socket of `addr`'s family and `kind`.
fn socket(ctx: &Ctx<'_>, addr: &SockAddr, kind: i32) -> Result<Rc<Fd>> {
    net::socket(addr, kind).map_err(|errno| throw_sys(ctx, errno, "socket", Target::None))
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
        net::set_option(raw, level, name, value).map_err(|errno| throw_sys(&ctx, errno, "setsockopt", Target::None))?;
    }
    let target = || Target::Address(&host, port);
    net::bind(raw, &addr).map_err(|errno| throw_sys(&ctx, errno, "bind", target()))?;
    net::listen(raw, backlog).map_err(|errno| throw_sys(&ctx, errno, "listen", target()))?;
    if reuse_port && !unix {
        let bound = net::local_addr(raw).map(|addr| addr.parts()).unwrap_or((host.clone(), port));
        handover::listen(&thread::shared(&ctx), bound, raw);
    }
    native::wrap(&ctx, fd)
}

/// A listener is about to close: under `--threads`, the connections queued on it go to
/// another thread's listener on its address (rule 13).
fn op_net_unlisten<'js>(ctx: Ctx<'js>, listener: Value<'js>) -> Result<()> {
    let listener = fd_of(&ctx, &listener)?;
    handover::close(&thread::shared(&ctx), listener.raw());
    Ok(())
}

/// Waits for a connection on a listener: `[socket, peer hostname, peer port]`. The peer's
/// address comes with the connection (the kernel writes it), so a stream knows it even once
/// the peer has reset (`getpeername` then fails with ENOTCONN).
fn op_net_accept<'js>(ctx: Ctx<'js>, listener: Value<'js>) -> Result<List<(Value<'js>, String, u16)>> {
    let listener = fd_of(&ctx, &listener)?;
    let inbox = thread::shared(&ctx);
    let (raw, peer) = loop {
        if let Some(handed) = handover::take(&inbox, listener.raw()) {
            let raw = handed.into_raw_fd();
            break (raw, net::peer_addr(raw).unwrap_or_else(|_| SockAddr::empty()));
        }
        let op = Accept::new(&listener).ok_or_else(|| closed(&ctx, "accept"))?;
        let (done, op) = wait(op).map_err(|_| cancelled(&ctx))?;
        // Cancelled to take a connection another thread handed over: that one, or (taken by
        // another accept) wait again.
        let handed =
            done.result == -libc::ECANCELED && listener.get().is_some() && handover::takes(&inbox, listener.raw());
        if handed && !with(|s| s.current_cancelled()) {
            continue;
        }
        if done.result < 0 {
            return Err(failed(&ctx, done.result, "accept", Target::None));
        }
        break (done.result, op.peer());
    };
    // Accepted even if the fiber was cancelled meanwhile: JS gets it (and closes it), so no
    // connection is leaked; the cancellation takes effect at the fiber's next wait.
    let stream = Fd::new(raw, true);
    if peer.family() != libc::AF_UNIX {
        let _ = net::set_option(raw, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    let (hostname, port) = peer.parts();
    Ok(List((native::wrap(&ctx, stream)?, hostname, port)))
}

/// Connects to `host:port` (a numeric address) or, with `unix`, to the Unix socket at `host`.
/// TCP streams start with Nagle's algorithm off (`setNoDelay(true)`), as in Deno and Bun:
/// a server's small replies go out at once.
fn op_net_connect<'js>(ctx: Ctx<'js>, host: String, port: u16, unix: bool) -> Result<Value<'js>> {
    let addr = address(&ctx, &host, port, unix)?;
    let fd = socket(&ctx, &addr, libc::SOCK_STREAM)?;
    let op = Connect::new(&fd, addr).ok_or_else(|| closed(&ctx, "connect"))?;
    let (done, _) = wait(op).map_err(|_| cancelled(&ctx))?;
    match done.result {
        // Nobody else holds the socket yet: only the fiber's cancellation cancels it.
        e if e == -libc::ECANCELED || e == -libc::EINTR => return Err(cancelled(&ctx)),
        e if e < 0 => return Err(throw_sys(&ctx, -e, "connect", Target::Address(&host, port))),
        _ => {}
    }
    if !unix {
        let _ = net::set_option(fd.raw(), libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    native::wrap(&ctx, fd)
}

/// `[hostname, port]` of a socket's local end.
fn op_net_address<'js>(ctx: Ctx<'js>, socket: Value<'js>) -> Result<List<(String, u16)>> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "getsockname"))?;
    let addr = net::local_addr(raw).map_err(|errno| throw_sys(&ctx, errno, "getsockname", Target::None))?;
    Ok(List(addr.parts()))
}

fn op_net_set_nodelay<'js>(ctx: Ctx<'js>, socket: Value<'js>, on: bool) -> Result<()> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "setsockopt"))?;
    net::set_option(raw, libc::IPPROTO_TCP, libc::TCP_NODELAY, on as i32)
        .map_err(|errno| throw_sys(&ctx, errno, "setsockopt", Target::None))
}

/// Ends our sending side (the peer reads end of stream), or (`reading`) our receiving side (a
/// read waiting on it returns end of stream). A socket whose peer is gone already (ENOTCONN)
/// has nothing left to end.
fn op_net_shutdown<'js>(ctx: Ctx<'js>, socket: Value<'js>, reading: Opt<bool>) -> Result<()> {
    let fd = fd_of(&ctx, &socket)?;
    let raw = fd.get().ok_or_else(|| closed(&ctx, "shutdown"))?;
    let how = if reading.0 == Some(true) { libc::SHUT_RD } else { libc::SHUT_WR };
    match net::shutdown(raw, how) {
        Err(errno) if errno != libc::ENOTCONN => Err(throw_sys(&ctx, errno, "shutdown", Target::None)),
        _ => Ok(()),
    }
}
