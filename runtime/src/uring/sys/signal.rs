//! Signals, the one process-wide owner of them. A signal's disposition belongs to the process,
//! not to a thread or a runtime, so this module alone installs and restores dispositions; each
//! runtime subscribes to the signals it wants and reads them from a pipe of its own through its
//! ring, so a signal arrives in the runtime's turn like any completion, never as code that
//! interrupts JS. The handler writes the signal's number into the pipe of every runtime
//! subscribed to it (so with `--threads` every thread sees SIGINT); a signal nobody subscribes
//! to any more has its original disposition back.

use std::{
    rc::Rc,
    sync::{
        atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering},
        Mutex,
    },
};

use super::check;
use crate::uring::fd::Fd;

/// Runtimes that may subscribe at once (one per thread).
const SLOTS: usize = 256;

/// Per slot: a pipe (made on first use and kept for the process's life, so the handler never
/// writes into a descriptor closed — and reused — under it), whether a runtime holds the slot,
/// and the signals that runtime wants.
static WRITE_ENDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];
static READ_ENDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];
static TAKEN: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
static MASKS: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];

/// The dispositions of the signals whose handler is installed, as they were before: restored
/// when nobody subscribes any more. Changed only under this lock.
static INSTALLED: Mutex<Vec<(i32, libc::sigaction)>> = Mutex::new(Vec::new());

/// Signal `signo` (1–64) in a set.
pub fn bit(signo: i32) -> u64 {
    1u64.checked_shl(signo.wrapping_sub(1) as u32).unwrap_or(0)
}

/// Signals whose default action is to do nothing.
const IGNORED_BY_DEFAULT: [i32; 4] = [libc::SIGCHLD, libc::SIGURG, libc::SIGWINCH, libc::SIGCONT];

/// One runtime's subscription: the signals it wants, and the pipe they arrive on.
pub struct Subscription {
    slot: usize,
    read: Rc<Fd>,
    mask: u64,
}

impl Subscription {
    /// A subscription to no signal yet.
    pub fn new() -> Result<Subscription, i32> {
        let slot = TAKEN
            .iter()
            .position(|taken| taken.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok())
            .ok_or(libc::EMFILE)?;
        if READ_ENDS[slot].load(Ordering::Acquire) < 0 {
            let mut ends = [0; 2];
            // SAFETY: the kernel writes two descriptors into `ends`. Both ends are non-blocking:
            // the handler must never wait, and the reader polls first.
            if let Err(e) = check(unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) }) {
                TAKEN[slot].store(false, Ordering::Release);
                return Err(e);
            }
            READ_ENDS[slot].store(ends[0], Ordering::Release);
            WRITE_ENDS[slot].store(ends[1], Ordering::Release);
        }
        let read = Fd::borrowed(READ_ENDS[slot].load(Ordering::Acquire));
        let subscription = Subscription { slot, read, mask: 0 };
        // What a runtime that held the slot before never read is not for this one.
        subscription.arrived();
        Ok(subscription)
    }

    /// The signals that arrived since the last call, in order (the pipe is read until empty).
    pub fn arrived(&self) -> Vec<i32> {
        let mut arrived = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            // SAFETY: reads into a local buffer from the slot's pipe, which is non-blocking.
            let n = unsafe { libc::read(self.read.raw(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return arrived;
            }
            arrived.extend(buf[..n as usize].iter().map(|&signo| signo as i32));
        }
    }

    /// The pipe's read end (non-blocking): each byte read is a signal's number.
    pub fn reader(&self) -> &Rc<Fd> {
        &self.read
    }

    /// Subscribes to exactly the signals of `mask`: the handler is installed for those nobody
    /// had, the original disposition restored for those nobody wants any more.
    pub fn set(&mut self, mask: u64) -> Result<(), i32> {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        MASKS[self.slot].store(mask, Ordering::Release);
        let old = std::mem::replace(&mut self.mask, mask);
        let wanted = MASKS.iter().fold(0, |all, m| all | m.load(Ordering::Acquire));
        let mut result = Ok(());
        for signo in 1..=64 {
            let has = installed.iter().any(|(s, _)| *s == signo);
            if wanted & bit(signo) != 0 && !has {
                match install(signo) {
                    Ok(previous) => installed.push((signo, previous)),
                    Err(e) => result = Err(e),
                }
            } else if wanted & bit(signo) == 0 && has && old & bit(signo) != 0 {
                if let Some(at) = installed.iter().position(|(s, _)| *s == signo) {
                    let (_, previous) = installed.swap_remove(at);
                    restore(signo, &previous);
                }
            }
        }
        if result.is_err() {
            MASKS[self.slot].store(old, Ordering::Release);
            self.mask = old;
        }
        result
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let _ = self.set(0);
        TAKEN[self.slot].store(false, Ordering::Release);
    }
}

/// The handler: the signal's number into the pipe of every runtime that wants it. Only atomic
/// loads and `write(2)`, which are async-signal-safe; errno is kept as it was.
extern "C" fn on_signal(signo: libc::c_int) {
    // SAFETY: the thread's errno location, read and restored around the writes.
    let saved = unsafe { *libc::__errno_location() };
    let byte = signo as u8;
    for (pipe, mask) in WRITE_ENDS.iter().zip(&MASKS) {
        let fd = pipe.load(Ordering::Acquire);
        if fd >= 0 && mask.load(Ordering::Acquire) & bit(signo) != 0 {
            // SAFETY: one byte from a local; a full pipe (signals coalesce) drops it.
            unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
        }
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = saved };
}

/// Installs the handler for `signo`: the disposition it replaced.
fn install(signo: i32) -> Result<libc::sigaction, i32> {
    // SAFETY: all-zero is a valid sigaction; the handler is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let mut previous: libc::sigaction = std::mem::zeroed();
        check(libc::sigaction(signo, &action, &mut previous))?;
        // A runtime of an older build may have blocked it (and a parent may have): unblock.
        unblock(signo);
        Ok(previous)
    }
}

fn restore(signo: i32, previous: &libc::sigaction) {
    // SAFETY: putting back a disposition the kernel gave us.
    unsafe { libc::sigaction(signo, previous, std::ptr::null_mut()) };
}

fn unblock(signo: i32) {
    // SAFETY: a set we build, unblocked in this thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signo);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
}

/// Whether some runtime subscribes to `signo`.
pub fn subscribed(signo: i32) -> bool {
    MASKS.iter().any(|mask| mask.load(Ordering::Acquire) & bit(signo) != 0)
}

/// What `signo` does to a process that did not change it: for most, ending it. A runtime calls
/// this for a signal that reached it when nothing in it waits or listens any more; one the
/// process was started ignoring (SIGHUP under `nohup`), or that does nothing by default, is
/// left alone.
pub fn act_as_unhandled(signo: i32) {
    let ignored_before = INSTALLED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|(s, previous)| *s == signo && previous.sa_sigaction == libc::SIG_IGN);
    if !ignored_before && !IGNORED_BY_DEFAULT.contains(&signo) {
        die_of(signo);
    }
}

/// Ends the process as `signo`'s default action would (SIGPIPE for a write to a closed stdout).
pub fn die_of(signo: i32) {
    // SAFETY: the default disposition, then the signal to ourselves.
    unsafe {
        libc::signal(signo, libc::SIG_DFL);
        unblock(signo);
        libc::raise(signo);
    }
}
