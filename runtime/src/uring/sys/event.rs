//! `eventfd(2)`: a counter another thread can bump to wake a ring that polls it — how threads
//! ring each other where the kernel lacks `IORING_OP_MSG_RING`, or from outside a runtime.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::check;

/// A new non-blocking eventfd.
pub fn new() -> Result<OwnedFd, i32> {
    // SAFETY: a plain syscall.
    let fd = check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: `fd` was just opened and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Bumps the counter, waking whoever polls it. Never blocks: a counter at its maximum wakes
/// its poller already.
pub fn notify(event: &OwnedFd) {
    let one: u64 = 1;
    // SAFETY: eight bytes from a local, as eventfd wants.
    unsafe { libc::write(event.as_raw_fd(), (&one as *const u64).cast(), 8) };
}

/// Resets the counter (after a poll said it was bumped).
pub fn clear(event: &OwnedFd) {
    let mut count: u64 = 0;
    // SAFETY: eight bytes into a local; non-blocking, so an already clear counter returns EAGAIN.
    unsafe { libc::read(event.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
}
