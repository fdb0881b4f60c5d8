//! One ring per thread, set up as DESIGN.md decides: `SINGLE_ISSUER | DEFER_TASKRUN |
//! COOP_TASKRUN` (completions are processed only when this thread enters the kernel, with no
//! interrupts to other threads), a completion queue large enough for many sockets, no SQPOLL.

use std::{any::Any, fmt, io, time::Instant};

use io_uring::{
    opcode, squeue,
    types::{CancelBuilder, Fd as Target, SubmitArgs, Timespec},
    IoUring,
};

use super::{buffers::Buffers, fd::InUse};
use crate::scheduler::task::TaskId;

const ENTRIES: u32 = 256;
const CQ_ENTRIES: u32 = 4096;
/// The `user_data` of entries whose completion nobody waits for (cancellations).
const IGNORED: u64 = u64::MAX;

/// An operation in flight: its slot and generation, as the entry's `user_data`.
pub type OpId = u64;

/// Who a completion goes to.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Owner {
    /// The fiber parked on it.
    Fiber(TaskId),
    /// The process's signal reader (`scheduler::signals`).
    Signals,
    /// A `copy()` in progress, by index (`scheduler::copy`).
    Copy(u32),
}

/// Memory the kernel may read or write until the operation completes: it is owned by the
/// operation, not by JS, so nothing JS does (dropping, detaching, resizing a buffer) can pull it
/// away. Boxes and vectors keep their heap memory in place when moved.
#[derive(Default)]
pub struct Keep {
    pub fd: Option<InUse>,
    pub buf: Vec<u8>,
    pub extra: Option<Box<dyn Any>>,
}

#[derive(Clone, Copy, Debug)]
pub struct Completion {
    pub result: i32,
    pub flags: u32,
}

struct Op {
    owner: Owner,
    keep: Keep,
    done: Option<Completion>,
    cancelling: bool,
}

pub struct Ring {
    ring: IoUring,
    /// The wait's timeout, read by the kernel during `io_uring_enter`.
    timespec: Timespec,
    ops: Vec<(u32, Option<Op>)>,
    free: Vec<u32>,
    /// Operations whose fiber waits for them: while there are any, the program is not stuck.
    live: usize,
    /// The provided buffers receives read into, where the kernel supports them.
    pub buffers: Option<Buffers>,
    /// Completions taken while making room to submit, delivered by the next poll or wait.
    backlog: Vec<(Owner, OpId)>,
    /// The completion queue's entries as reaped (memory reused from turn to turn).
    reaped: Vec<(u64, i32, u32)>,
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
            // The kernel flags pending completions in the submission ring, so that a busy turn
            // enters the kernel only when there is something to submit or to reap.
            .setup_taskrun_flag()
            .setup_cqsize(CQ_ENTRIES)
            .build(ENTRIES)
            .map_err(explain)?;
        let buffers = Buffers::new(&ring);
        Ok(Ring {
            ring,
            timespec: Timespec::new(),
            ops: Vec::new(),
            free: Vec::new(),
            live: 0,
            buffers,
            backlog: Vec::new(),
            reaped: Vec::new(),
        })
    }

    /// Submits `entry` (at the next enter) for `owner`, with the memory it points into.
    ///
    /// # Safety
    /// Every pointer in `entry` must point into `keep`'s heap memory (or be otherwise valid
    /// until the completion).
    pub unsafe fn start(&mut self, owner: Owner, keep: Keep, entry: squeue::Entry) -> OpId {
        let op = Op { owner, keep, done: None, cancelling: false };
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.ops[index as usize];
                slot.0 = slot.0.wrapping_add(1);
                slot.1 = Some(op);
                index
            }
            None => {
                self.ops.push((0, Some(op)));
                self.ops.len() as u32 - 1
            }
        };
        if matches!(owner, Owner::Fiber(_) | Owner::Copy(_)) {
            self.live += 1;
        }
        let id = ((self.ops[index as usize].0 as u64) << 32) | index as u64;
        self.push(entry.user_data(id));
        id
    }

    /// Asks the kernel to cancel `id`; its completion still arrives (with `-ECANCELED`, or
    /// its real result when it finished first).
    pub fn cancel(&mut self, id: OpId) {
        let Some(op) = self.op_mut(id) else { return };
        if op.done.is_some() || op.cancelling {
            return;
        }
        op.cancelling = true;
        self.push(opcode::AsyncCancel::new(id).build().user_data(IGNORED));
    }

    /// Cancels every operation in flight on descriptor `fd` (it is being closed).
    pub fn cancel_fd(&mut self, fd: i32) {
        let builder = CancelBuilder::fd(Target(fd)).all();
        self.push(opcode::AsyncCancel2::new(builder).build().user_data(IGNORED));
    }

    /// The completion of `id` and its memory back, once it has arrived.
    pub fn take(&mut self, id: OpId) -> Option<(Completion, Keep)> {
        let index = (id & 0xffff_ffff) as usize;
        let done = self.op_mut(id)?.done?;
        let op = self.ops[index].1.take()?;
        self.free.push(index as u32);
        Some((done, op.keep))
    }

    fn op_mut(&mut self, id: OpId) -> Option<&mut Op> {
        match self.ops.get_mut((id & 0xffff_ffff) as usize) {
            Some((generation, Some(op))) if *generation as u64 == id >> 32 => Some(op),
            _ => None,
        }
    }

    /// Whether a fiber waits for an operation in flight.
    pub fn has_live(&self) -> bool {
        self.live > 0 || !self.backlog.is_empty()
    }

    /// Submits what is queued and collects what completed, without blocking; enters the
    /// kernel only when there is something to submit or a completion is pending.
    pub fn poll(&mut self, done: &mut Vec<(Owner, OpId)>) -> io::Result<()> {
        done.append(&mut self.backlog);
        let pending = self.ring.submission().taskrun() || self.ring.submission().cq_overflow();
        let queued = self.ring.submission().len() as u32;
        if queued > 0 || pending {
            let flags = io_uring::EnterFlags::GETEVENTS.bits();
            // SAFETY: a plain enter; no argument.
            retry(|| unsafe { self.ring.submitter().enter::<libc::sigset_t>(queued, 0, flags, None) })?;
        }
        self.reap(done);
        Ok(())
    }

    /// Submits what is queued and blocks until a completion arrives or `deadline` passes, in
    /// one `io_uring_enter`; then collects what completed.
    pub fn wait(&mut self, deadline: Option<Instant>, done: &mut Vec<(Owner, OpId)>) -> io::Result<()> {
        if !self.backlog.is_empty() {
            return self.poll(done); // completions are waiting already
        }
        let result = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.timespec = Timespec::new().sec(left.as_secs()).nsec(left.subsec_nanos());
                let args = SubmitArgs::new().timespec(&self.timespec);
                retry(|| self.ring.submitter().submit_with_args(1, &args))
            }
            None => retry(|| self.ring.submitter().submit_and_wait(1)),
        };
        match result {
            Err(e) if e.raw_os_error() == Some(libc::ETIME) => {}
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        self.reap(done);
        Ok(())
    }

    fn reap(&mut self, done: &mut Vec<(Owner, OpId)>) {
        // Copied out first (the queue borrows the ring), into a vector kept for the next turn.
        let mut ready = std::mem::take(&mut self.reaped);
        let mut completions = self.ring.completion();
        completions.sync();
        ready.extend(completions.by_ref().map(|c| (c.user_data(), c.result(), c.flags())));
        drop(completions);
        for &(id, result, flags) in &ready {
            if id == IGNORED {
                continue;
            }
            let Some(op) = self.op_mut(id) else { continue };
            op.done = Some(Completion { result, flags });
            let owner = op.owner;
            if matches!(owner, Owner::Fiber(_) | Owner::Copy(_)) {
                self.live -= 1;
            }
            done.push((owner, id));
        }
        ready.clear();
        self.reaped = ready;
    }

    /// Queues an entry, making room by submitting when the queue is full.
    fn push(&mut self, entry: squeue::Entry) {
        loop {
            // SAFETY: the caller guarantees what the entry points to.
            if unsafe { self.ring.submission().push(&entry) }.is_ok() {
                return;
            }
            if let Err(e) = retry(|| self.ring.submit()) {
                if e.raw_os_error() != Some(libc::EBUSY) {
                    eprintln!("uringy: submitting to io_uring failed: {e}");
                    std::process::exit(1);
                }
                // The completion queue is full: take its completions (the scheduler gets them
                // with the next poll or wait), which makes room for the kernel's overflow.
                let mut backlog = std::mem::take(&mut self.backlog);
                self.reap(&mut backlog);
                self.backlog = backlog;
            }
        }
    }
}

fn retry(mut f: impl FnMut() -> io::Result<usize>) -> io::Result<usize> {
    loop {
        match f() {
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            other => return other,
        }
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
        ring.wait(Some(start + Duration::from_millis(20)), &mut Vec::new()).unwrap();
        assert!(start.elapsed() >= Duration::from_millis(19), "{:?}", start.elapsed());
    }

    #[test]
    fn unavailable_io_uring_is_explained_with_a_fix() {
        let msg = explain(io::Error::from_raw_os_error(libc::EPERM)).to_string();
        assert!(msg.contains("EPERM") && msg.contains("Fix:") && !msg.contains('\n'), "{msg}");
    }
}
