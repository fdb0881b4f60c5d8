//! Socket calls that never wait: creating, binding and listening, options, addresses,
//! shutting down. (io_uring gained bind and listen only in Linux 6.11, and a direct call costs
//! less than a trip through the ring.)

use std::{mem, os::fd::RawFd, rc::Rc};

use super::{addr::SockAddr, check};
use crate::uring::fd::Fd;

/// A new socket of `addr`'s family and `kind` (`SOCK_STREAM`, `SOCK_DGRAM`), owned at once so
/// that no error path leaks it.
pub fn socket(addr: &SockAddr, kind: i32) -> Result<Rc<Fd>, i32> {
    // SAFETY: a plain syscall.
    let raw = check(unsafe { libc::socket(addr.family(), kind | libc::SOCK_CLOEXEC, 0) })?;
    Ok(Fd::new(raw, true))
}

/// Sets an integer socket option, like `setsockopt(2)`.
pub fn set_option(fd: RawFd, level: i32, name: i32, value: i32) -> Result<(), i32> {
    // SAFETY: an int option, passed by pointer with its size.
    check(unsafe {
        libc::setsockopt(fd, level, name, &value as *const i32 as *const libc::c_void, mem::size_of::<i32>() as _)
    })
    .map(drop)
}

/// `bind(2)`.
pub fn bind(fd: RawFd, addr: &SockAddr) -> Result<(), i32> {
    // SAFETY: the address is ours, passed with its length.
    check(unsafe { libc::bind(fd, addr.as_ptr(), addr.len) }).map(drop)
}

/// `listen(2)`.
pub fn listen(fd: RawFd, backlog: i32) -> Result<(), i32> {
    // SAFETY: a plain syscall on the caller's socket.
    check(unsafe { libc::listen(fd, backlog) }).map(drop)
}

/// The local address of socket `fd`, like `getsockname(2)`.
pub fn local_addr(fd: RawFd) -> Result<SockAddr, i32> {
    let mut addr = SockAddr::empty();
    let (storage, len) = addr.as_mut_parts();
    // SAFETY: the kernel writes at most `len` bytes into the storage.
    check(unsafe { libc::getsockname(fd, storage, len) })?;
    Ok(addr)
}

/// `shutdown(2)`: `SHUT_WR` ends our sending side, `SHUT_RD` our receiving side.
pub fn shutdown(fd: RawFd, how: i32) -> Result<(), i32> {
    // SAFETY: a plain syscall on the caller's socket.
    check(unsafe { libc::shutdown(fd, how) }).map(drop)
}

/// The next connection already queued on listener `fd`, without waiting (`None` when the
/// queue is empty): for a listener about to close, whose queue would otherwise be reset.
pub fn accept_queued(fd: RawFd) -> Result<Option<(RawFd, SockAddr)>, i32> {
    // SAFETY: reads and sets the flags of the caller's listener.
    check(unsafe { libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK) })?;
    let mut peer = SockAddr::empty();
    let (storage, len) = peer.as_mut_parts();
    // SAFETY: the kernel writes at most `len` bytes of the peer's address into the storage.
    match check(unsafe { libc::accept4(fd, storage, len, libc::SOCK_CLOEXEC) }) {
        Ok(stream) => Ok(Some((stream, peer))),
        Err(libc::EAGAIN) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The address of the peer of connected socket `fd`, like `getpeername(2)`.
pub fn peer_addr(fd: RawFd) -> Result<SockAddr, i32> {
    let mut addr = SockAddr::empty();
    let (storage, len) = addr.as_mut_parts();
    // SAFETY: the kernel writes at most `len` bytes into the storage.
    check(unsafe { libc::getpeername(fd, storage, len) })?;
    Ok(addr)
}
