//! One ring per thread, set up as DESIGN.md decides: `SINGLE_ISSUER | DEFER_TASKRUN |
//! COOP_TASKRUN` (completions are processed only when this thread enters the kernel, with no
//! interrupts to other threads), a completion queue large enough for many sockets, no SQPOLL.

use std::{fmt, io, time::Instant};

use io_uring::{opcode, types::Timespec, IoUring};

const ENTRIES: u32 = 256;
const CQ_ENTRIES: u32 = 4096;
const WAKE_TIMER: u64 = u64::MAX;

pub struct Ring {
    ring: IoUring,
    /// The wait's timeout; the kernel reads it while the submission is prepared, and it lives
    /// here so that no submission ever points at a dead stack slot.
    timespec: Box<Timespec>,
}

/// io_uring cannot be used here; the message says why and how to fix it.
#[derive(Debug)]
pub struct RingError(String);

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Ring {
    pub fn new() -> Result<Ring, RingError> {
        let ring = IoUring::builder()
            .setup_single_issuer()
            .setup_defer_taskrun()
            .setup_coop_taskrun()
            .setup_cqsize(CQ_ENTRIES)
            .build(ENTRIES)
            .map_err(explain)?;
        Ok(Ring { ring, timespec: Box::new(Timespec::new()) })
    }

    /// Blocks the thread until `deadline` (or until a completion arrives), in one
    /// `io_uring_enter`.
    pub fn wait_until(&mut self, deadline: Instant) -> io::Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        *self.timespec = Timespec::new().sec(left.as_secs()).nsec(left.subsec_nanos());
        let entry = opcode::Timeout::new(&*self.timespec).build().user_data(WAKE_TIMER);
        // SAFETY: the timespec is owned by `self` and outlives the submission; the timeout
        // completes (or is reaped below) before `self.timespec` is written again.
        unsafe {
            self.ring.submission().push(&entry).map_err(|_| io::Error::other("submission queue full"))?;
        }
        loop {
            match self.ring.submit_and_wait(1) {
                Ok(_) => break,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => return Err(e),
            }
        }
        for cqe in self.ring.completion() {
            debug_assert_eq!(cqe.user_data(), WAKE_TIMER);
        }
        Ok(())
    }
}

fn explain(err: io::Error) -> RingError {
    let how = match err.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            "io_uring is not permitted here (EPERM): the sysctl kernel.io_uring_disabled is set or a \
             seccomp profile (Docker's default, for one) blocks it. Fix: `sysctl -w \
             kernel.io_uring_disabled=0` as root, or run the container with a seccomp profile that \
             allows io_uring_setup, io_uring_enter and io_uring_register"
        }
        Some(libc::ENOSYS) => {
            "this kernel has no io_uring (ENOSYS). Fix: run on Linux 6.1 or newer built with CONFIG_IO_URING"
        }
        Some(libc::EINVAL) => {
            "this kernel's io_uring lacks SINGLE_ISSUER/DEFER_TASKRUN (EINVAL). Fix: run on Linux 6.1 or newer"
        }
        Some(libc::ENOMEM) => "the kernel refused memory for the ring (ENOMEM). Fix: raise `ulimit -l` (locked memory)",
        _ => "",
    };
    if how.is_empty() {
        RingError(format!("error: cannot set up io_uring: {err}"))
    } else {
        RingError(format!("error: {how}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn waiting_until_a_deadline_blocks_that_long() {
        let mut ring = Ring::new().expect("io_uring available on the test machine");
        let start = Instant::now();
        ring.wait_until(start + Duration::from_millis(20)).unwrap();
        assert!(start.elapsed() >= Duration::from_millis(19), "{:?}", start.elapsed());
    }

    #[test]
    fn unavailable_io_uring_is_explained_with_a_fix() {
        let msg = explain(io::Error::from_raw_os_error(libc::EPERM)).to_string();
        assert!(msg.contains("EPERM") && msg.contains("Fix:") && !msg.contains('\n'), "{msg}");
    }
}
