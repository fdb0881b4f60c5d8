//! One ring per thread, set up as DESIGN.md decides: `SINGLE_ISSUER | DEFER_TASKRUN |
//! COOP_TASKRUN` (completions are processed only when this thread enters the kernel, with no
//! interrupts to other threads), a completion queue large enough for many sockets, no SQPOLL.
//!
//! The ring keeps each operation it was given until its completion arrives, and knows its
//! submitter only as an opaque [`Token`]. Submitting is the one `unsafe` act of the IO core, in
//! [`Ring::push`]; what makes it sound is the [`Operation`] contract (the entry points only into
//! memory the operation owns) and this ring's promise never to drop an operation before its
//! completion — also when the ring itself is dropped (see `Drop`).

use std::{
    fmt, io,
    os::fd::{AsRawFd, OwnedFd, RawFd},
    rc::Rc,
    time::{Duration, Instant},
};

use io_uring::{
    opcode, squeue,
    types::{CancelBuilder, Fd as Target, SubmitArgs, Timespec},
    IoUring,
};

use super::{
    buffers::Buffers,
    op::{AnyOp, Completion, Operation},
};

const ENTRIES: u32 = 256;
const CQ_ENTRIES: u32 = 4096;
/// The `user_data` of entries whose completion nobody waits for (cancellations).
const IGNORED: u64 = u64::MAX;
/// The `user_data` of the completions another thread's ring posts into this one
/// ([`MsgRing`](super::op::MsgRing)): not an operation of this ring, only a wake-up.
pub(crate) const DOORBELL: u64 = u64::MAX - 1;
/// How long a ring being dropped waits for the kernel to finish what it cancelled.
const TEARDOWN: Duration = Duration::from_secs(10);

/// Who submitted an operation, as the submitter encodes it; the ring only hands it back.
pub type Token = u64;

/// An operation in flight: its slot and generation, as the entry's `user_data`.
pub type OpId = u64;

struct InFlight {
    token: Token,
    op: AnyOp,
    done: Option<Completion>,
    cancelling: bool,
    /// Whether it keeps the program alive (a fiber waits for it), as opposed to background
    /// reads such as a signal pipe's.
    alive: bool,
}

/// How many operations the ring was given and how many completed: equal once all is done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub submitted: u64,
    pub completed: u64,
}

pub struct Ring {
    ring: IoUring,
    /// The wait's timeout, read by the kernel during `io_uring_enter`.
    timespec: Timespec,
    slots: Vec<(u32, Option<InFlight>)>,
    free: Vec<u32>,
    /// Operations whose completion has not arrived.
    in_flight: usize,
    /// Of those, the ones that keep the program alive.
    alive: usize,
    buffers: Option<Rc<Buffers>>,
    /// Completions taken while making room to submit, delivered by the next poll or wait.
    backlog: Vec<(Token, OpId)>,
    /// The completion queue's entries as reaped (memory reused from turn to turn).
    reaped: Vec<(u64, i32, u32)>,
    stats: Stats,
    /// The kernel refused the ring itself (not an operation): nothing more can be done with it.
    broken: Option<io::Error>,
    /// Torn down already (`close`).
    closed: bool,
    /// Another ring rang this one since the last [`Ring::rang`].
    rang: bool,
    /// Whether the kernel has `IORING_OP_MSG_RING` (Linux 5.18).
    messages: bool,
}

/// io_uring cannot be used here, or stopped working; the message says why and how to fix it.
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
        let mut probe = io_uring::Probe::new();
        let messages =
            ring.submitter().register_probe(&mut probe).is_ok() && probe.is_supported(opcode::MsgRingData::CODE);
        Ok(Ring {
            ring,
            timespec: Timespec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            in_flight: 0,
            alive: 0,
            buffers,
            backlog: Vec::new(),
            reaped: Vec::new(),
            stats: Stats::default(),
            broken: None,
            closed: false,
            rang: false,
            messages,
        })
    }

    /// A descriptor of this ring for other threads to ring it with ([`MsgRing`](super::op::MsgRing)):
    /// it keeps the kernel's ring alive (not this `Ring`'s operations) while they hold it.
    pub fn share(&self) -> Result<OwnedFd, i32> {
        super::sys::process::duplicate(self.ring.as_raw_fd())
    }

    /// Whether this kernel lets one ring ring another (`IORING_OP_MSG_RING`).
    pub fn can_ring_others(&self) -> bool {
        self.messages
    }

    /// Whether another ring rang this one since the last call.
    pub fn rang(&mut self) -> bool {
        std::mem::take(&mut self.rang)
    }

    /// Submits `op` (at the next enter) for `token`; it keeps the program alive.
    pub fn submit(&mut self, token: Token, op: impl Operation) -> OpId {
        self.start(token, op.into(), true)
    }

    /// Submits `op` for `token` without keeping the program alive (a read that waits for
    /// something that may never come, such as a signal).
    pub fn submit_background(&mut self, token: Token, op: impl Operation) -> OpId {
        self.start(token, op.into(), false)
    }

    fn start(&mut self, token: Token, mut op: AnyOp, alive: bool) -> OpId {
        if let AnyOp::Recv(recv) = &mut op {
            recv.attach(self.buffers.as_ref());
        }
        let op = InFlight { token, op, done: None, cancelling: false, alive };
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.0 = slot.0.wrapping_add(1);
                slot.1 = Some(op);
                index
            }
            None => {
                self.slots.push((0, Some(op)));
                self.slots.len() as u32 - 1
            }
        };
        self.in_flight += 1;
        self.alive += usize::from(alive);
        self.stats.submitted += 1;
        let id = ((self.slots[index as usize].0 as u64) << 32) | index as u64;
        let entry = self.slots[index as usize].1.as_mut().expect("just filled").op.entry().user_data(id);
        self.push(entry);
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
    pub fn cancel_fd(&mut self, fd: RawFd) {
        let builder = CancelBuilder::fd(Target(fd)).all();
        self.push(opcode::AsyncCancel2::new(builder).build().user_data(IGNORED));
    }

    /// The completion of `id` and its operation back, once it has arrived.
    pub fn take(&mut self, id: OpId) -> Option<(Completion, AnyOp)> {
        let index = (id & 0xffff_ffff) as usize;
        let done = self.op_mut(id)?.done?;
        let op = self.slots[index].1.take()?;
        self.free.push(index as u32);
        Some((done, op.op))
    }

    fn op_mut(&mut self, id: OpId) -> Option<&mut InFlight> {
        match self.slots.get_mut((id & 0xffff_ffff) as usize) {
            Some((generation, Some(op))) if *generation as u64 == id >> 32 => Some(op),
            _ => None,
        }
    }

    /// Whether an operation that keeps the program alive is in flight.
    pub fn has_live(&self) -> bool {
        self.alive > 0 || !self.backlog.is_empty()
    }

    #[cfg(test)]
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Submits what is queued and collects what completed, without blocking; enters the
    /// kernel only when there is something to submit or a completion is pending.
    pub fn poll(&mut self, done: &mut Vec<(Token, OpId)>) -> Result<(), RingError> {
        self.usable()?;
        done.append(&mut self.backlog);
        let pending = self.ring.submission().taskrun() || self.ring.submission().cq_overflow();
        let queued = self.ring.submission().len() as u32;
        if queued > 0 || pending {
            let flags = io_uring::EnterFlags::GETEVENTS.bits();
            // SAFETY: a plain enter; no argument.
            retry(|| unsafe { self.ring.submitter().enter::<libc::sigset_t>(queued, 0, flags, None) })
                .map_err(|e| self.fail(e))?;
        }
        self.reap(done);
        Ok(())
    }

    /// Submits what is queued and blocks until a completion arrives or `deadline` passes, in
    /// one `io_uring_enter`; then collects what completed.
    pub fn wait(&mut self, deadline: Option<Instant>, done: &mut Vec<(Token, OpId)>) -> Result<(), RingError> {
        self.usable()?;
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
            Err(e) => return Err(self.fail(e)),
            Ok(_) => {}
        }
        self.reap(done);
        Ok(())
    }

    fn reap(&mut self, done: &mut Vec<(Token, OpId)>) {
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
            if id == DOORBELL {
                self.rang = true;
                continue;
            }
            let Some(op) = self.op_mut(id) else { continue };
            if op.done.is_some() {
                continue;
            }
            op.done = Some(Completion { result, flags });
            let (token, alive) = (op.token, op.alive);
            self.in_flight -= 1;
            self.alive -= usize::from(alive);
            self.stats.completed += 1;
            done.push((token, id));
        }
        ready.clear();
        self.reaped = ready;
    }

    /// Queues an entry, making room by submitting when the queue is full.
    fn push(&mut self, entry: squeue::Entry) {
        while self.broken.is_none() {
            // SAFETY: every entry pushed points only into memory its operation owns (the
            // `Operation` contract) or into nothing (cancellations); the ring keeps that
            // operation until its completion has arrived, and does not drop it before, even
            // when the ring itself is dropped.
            if unsafe { self.ring.submission().push(&entry) }.is_ok() {
                return;
            }
            match retry(|| self.ring.submit()) {
                Ok(_) => {}
                // The completion queue is full: take its completions (the scheduler gets them
                // with the next poll or wait), which makes room for the kernel's overflow.
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                    let mut backlog = std::mem::take(&mut self.backlog);
                    self.reap(&mut backlog);
                    self.backlog = backlog;
                }
                Err(e) => {
                    self.fail(e);
                }
            }
        }
    }

    /// Records that the ring itself failed, and says so.
    fn fail(&mut self, e: io::Error) -> RingError {
        let error = RingError(format!("uringy: io_uring failed: {e}"));
        self.broken.get_or_insert(e);
        error
    }

    fn usable(&self) -> Result<(), RingError> {
        match &self.broken {
            Some(e) => Err(RingError(format!("uringy: io_uring failed: {e}"))),
            None => Ok(()),
        }
    }
}

impl Ring {
    /// Tears the ring down, as dropping it does, and says how that went: once every operation
    /// has completed, `completed` equals `submitted`; any difference was left to the kernel
    /// (its memory leaked, not freed under it).
    pub fn close(mut self) -> Stats {
        self.teardown();
        self.stats
    }

    /// Sound while the process goes on: what is in flight is cancelled, and its memory freed
    /// only once its completion arrived. If the kernel does not confirm that in time (or the
    /// ring is broken), the memory of what is left is leaked rather than freed under it.
    fn teardown(&mut self) {
        if std::mem::replace(&mut self.closed, true) {
            return;
        }
        if self.in_flight > 0 && self.broken.is_none() {
            self.push(opcode::AsyncCancel2::new(CancelBuilder::any()).build().user_data(IGNORED));
            let deadline = Instant::now() + TEARDOWN;
            let mut done = Vec::new();
            while self.in_flight > 0 && self.broken.is_none() && Instant::now() < deadline {
                let _ = self.wait(Some(deadline.min(Instant::now() + Duration::from_millis(100))), &mut done);
                done.clear();
            }
        }
        for (_, slot) in self.slots.drain(..) {
            match slot {
                Some(op) if op.done.is_none() => std::mem::forget(op),
                Some(op) => free(op.op),
                None => {}
            }
        }
        if let Some(buffers) = &self.buffers {
            buffers.unregister(&self.ring);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// Frees an operation whose completion has arrived. The tests keep it instead, to check that
/// the kernel never writes into its memory afterwards.
#[cfg(not(test))]
fn free(op: AnyOp) {
    drop(op);
}

#[cfg(test)]
fn free(op: AnyOp) {
    tests::QUARANTINE.with_borrow_mut(|quarantine| quarantine.push(op));
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
    use std::{
        cell::RefCell,
        io::Write,
        net::{TcpListener, UdpSocket},
        os::{fd::IntoRawFd, unix::net::UnixStream},
    };

    use super::*;
    use crate::uring::{
        fd::Fd,
        op::{Accept, Data, Dir, OpenAt, Read, Recv, RecvMsg, Send, CURRENT},
    };

    thread_local! {
        /// What torn-down rings freed (see `free`).
        pub(super) static QUARANTINE: RefCell<Vec<AnyOp>> = const { RefCell::new(Vec::new()) };
    }

    const CANARY: u8 = 0xA5;

    /// The memory an operation owned for the kernel to write into, all of it set to the canary.
    fn poisoned(op: AnyOp) -> Option<Vec<u8>> {
        let done = Completion { result: 0, flags: 0 };
        let mut bytes = match op {
            AnyOp::Read(op) => op.into_buf(done),
            AnyOp::Recv(op) => match op.received(done) {
                Data::Own(bytes) => bytes,
                Data::Provided(_) => return None,
            },
            AnyOp::RecvMsg(op) => op.received(done).0,
            _ => return None,
        };
        bytes.clear();
        bytes.resize(bytes.capacity(), CANARY);
        Some(bytes)
    }

    /// Each ring is dropped with reads, receives, an accept, a send that cannot finish and an
    /// open held by a kernel worker in flight. Teardown must wait for every completion before it
    /// frees an operation: what it freed is kept in the quarantine, poisoned, and data then sent
    /// to every descriptor a read was waiting on must not land in it.
    #[test]
    fn rings_dropped_with_operations_in_flight_free_nothing_the_kernel_still_writes() {
        let dir = std::env::temp_dir().join(format!("uringy-ring-teardown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let fifo = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        let before = crate::uring::fd::open_count();
        for _ in 0..1000 {
            let mut ring = Ring::new().unwrap();
            let (reader, mut writer) = std::io::pipe().unwrap();
            let reader = Fd::new(reader.into_raw_fd(), false);
            let (a, mut a_peer) = UnixStream::pair().unwrap();
            let (b, mut b_peer) = UnixStream::pair().unwrap();
            let (c, _c_peer) = UnixStream::pair().unwrap();
            let (a, b, c) =
                (Fd::new(a.into_raw_fd(), true), Fd::new(b.into_raw_fd(), true), Fd::new(c.into_raw_fd(), true));
            let listener = Fd::new(TcpListener::bind("127.0.0.1:0").unwrap().into_raw_fd(), true);
            let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
            let udp_addr = udp.local_addr().unwrap();
            let udp = Fd::new(udp.into_raw_fd(), true);

            ring.submit(1, Read::new(&reader, Vec::with_capacity(4096), 4096, CURRENT).unwrap());
            ring.submit(2, Recv::own(&a, 4096).unwrap());
            ring.submit(3, Recv::provided(&b, 4096).unwrap());
            ring.submit(4, Accept::new(&listener).unwrap());
            ring.submit(5, RecvMsg::new(&udp, 2048).unwrap());
            ring.submit(6, Send::new(&c, Data::Own(vec![1; 4 << 20]), 0).unwrap());
            let open = OpenAt::new(Dir::new(None), fifo.clone(), libc::O_WRONLY | libc::O_CREAT, 0o600);
            ring.submit(7, open);
            ring.poll(&mut Vec::new()).unwrap();

            ring.teardown();
            assert_eq!(ring.stats(), Stats { submitted: 7, completed: 7 }, "every operation completed first");
            let kept: Vec<Vec<u8>> =
                QUARANTINE.take().into_iter().filter_map(poisoned).filter(|bytes| !bytes.is_empty()).collect();
            assert_eq!(kept.len(), 3, "the read, the own-buffer receive and the datagram receive");
            // Data for every read that was waiting, then one more enter of the ring, which would
            // complete (into the freed memory) any read the teardown had let go of too early.
            writer.write_all(b"late").unwrap();
            a_peer.write_all(b"late").unwrap();
            b_peer.write_all(b"late").unwrap();
            UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"late", udp_addr).unwrap();
            ring.poll(&mut Vec::new()).unwrap();
            for bytes in &kept {
                assert!(bytes.iter().all(|b| *b == CANARY), "the kernel wrote into memory a torn-down ring freed");
            }
            drop(ring);
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(crate::uring::fd::open_count(), before, "no descriptor is left behind");
    }

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
