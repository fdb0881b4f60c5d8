//! Signals as events fibers wait for (`waitForSignal`) or listen to (`onSignal`). A signal
//! someone subscribed to is blocked and read from a signalfd through the ring, so it arrives in
//! the scheduler's turn like any completion, never as an asynchronous handler. One that arrives
//! with nobody subscribed any more takes its default action, as it would have without Uringy.

use std::{mem::MaybeUninit, os::fd::RawFd};

use io_uring::{opcode, types::Fd as Target};
use rquickjs::{Function, Persistent};

use super::{task::Resume, Scheduler};
use crate::uring::{Keep, OpId, Owner};

/// Bytes of one `signalfd_siginfo`.
const INFO: usize = 128;
/// Signals whose default action is to do nothing.
const IGNORED_BY_DEFAULT: [i32; 4] = [libc::SIGCHLD, libc::SIGURG, libc::SIGWINCH, libc::SIGCONT];

#[derive(Default)]
pub struct Signals {
    fd: Option<RawFd>,
    /// Signals routed to the signalfd (and so blocked), as a bit set.
    routed: u64,
    /// Routed signals the process ignored before (SIGPIPE, or SIGHUP under nohup): with nobody
    /// subscribed they go on being ignored.
    ignored: u64,
    reading: Option<OpId>,
    /// Fibers in `waitForSignal`: their park token and the signals they wait for.
    waiters: Vec<(u64, u64)>,
    /// `onSignal` subscriptions per signal.
    listeners: Vec<u32>,
    /// Signals that arrived for listeners, taken by the dispatcher.
    arrived: Vec<i32>,
    /// lib/process.ts's function that calls the listeners (on a fiber of its own).
    dispatcher: Option<Persistent<Function<'static>>>,
    dispatching: bool,
}

/// Signal `signo` (1–64) in a set.
fn bit(signo: i32) -> u64 {
    1u64.checked_shl(signo.wrapping_sub(1) as u32).unwrap_or(0)
}

impl Scheduler {
    /// Whether a fiber waits for a signal: the program is not stuck then.
    pub(super) fn waits_for_signal(&self) -> bool {
        !self.signals.waiters.is_empty()
    }

    /// Routes the signals of `set` to the ring from now on.
    fn route(&mut self, set: u64) -> std::io::Result<()> {
        let signals = &mut self.signals;
        if signals.routed & set != set {
            for signo in 1..=64 {
                if set & !signals.routed & bit(signo) != 0 && was_ignored(signo) {
                    signals.ignored |= bit(signo);
                }
            }
            signals.routed |= set;
            let mask = sigset(signals.routed);
            // SAFETY: plain syscalls on a set we built; the old signalfd is reused.
            unsafe {
                if libc::pthread_sigmask(libc::SIG_BLOCK, &mask, std::ptr::null_mut()) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let fd = libc::signalfd(signals.fd.unwrap_or(-1), &mask, libc::SFD_CLOEXEC);
                if fd < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                signals.fd = Some(fd);
            }
        }
        self.read_signals();
        Ok(())
    }

    fn read_signals(&mut self) {
        let Some(fd) = self.signals.fd else { return };
        if self.signals.reading.is_some() {
            return;
        }
        let mut keep = Keep { buf: vec![0; INFO * 8], ..Keep::default() };
        let entry =
            opcode::Read::new(Target(fd), keep.buf.as_mut_ptr(), keep.buf.len() as u32).offset(u64::MAX).build();
        // SAFETY: the entry points into `keep.buf`, which the operation owns.
        self.signals.reading = Some(unsafe { self.ring.start(Owner::Signals, keep, entry) });
    }

    /// `waitForSignal`: registers the running fiber, which parks with `token`.
    pub fn wait_signal(&mut self, token: u64, signals: &[i32]) -> std::io::Result<()> {
        if signals.iter().any(|s| !(1..=64).contains(s)) {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        }
        let set = signals.iter().fold(0, |set, s| set | bit(*s));
        self.route(set)?;
        self.signals.waiters.push((token, set));
        Ok(())
    }

    /// A fiber stopped waiting for a signal (it was cancelled).
    pub fn unwait_signal(&mut self, token: u64) {
        self.signals.waiters.retain(|(t, _)| *t != token);
    }

    /// `onSignal` (`delta` 1) and its unsubscribe (`delta` -1).
    pub fn listen_signal(&mut self, signo: i32, delta: i32) -> std::io::Result<()> {
        if !(1..=64).contains(&signo) {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        }
        let listeners = &mut self.signals.listeners;
        if listeners.len() <= signo as usize {
            listeners.resize(signo as usize + 1, 0);
        }
        listeners[signo as usize] = listeners[signo as usize].saturating_add_signed(delta);
        if delta > 0 {
            self.route(bit(signo))?;
        }
        Ok(())
    }

    /// The signalfd read completed: deliver what arrived, and read again.
    pub(super) fn signals_arrived(&mut self, op: OpId) {
        if self.signals.reading != Some(op) {
            return;
        }
        self.signals.reading = None;
        let Some((done, keep)) = self.ring.take(op) else { return };
        let count = usize::try_from(done.result).unwrap_or(0) / INFO;
        for info in keep.buf.chunks_exact(INFO).take(count) {
            let signo = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as i32;
            self.deliver(signo);
        }
        self.read_signals();
    }

    fn deliver(&mut self, signo: i32) {
        let mut delivered = false;
        let waiters = std::mem::take(&mut self.signals.waiters);
        for (token, set) in waiters {
            if set & bit(signo) != 0 && self.unpark(token, Resume::Code(signo)) {
                delivered = true;
            } else if set & bit(signo) == 0 {
                self.signals.waiters.push((token, set));
            }
        }
        if self.signals.listeners.get(signo as usize).is_some_and(|n| *n > 0) {
            delivered = true;
            self.signals.arrived.push(signo);
            if !self.signals.dispatching {
                if let Some(dispatcher) = self.signals.dispatcher.clone() {
                    self.signals.dispatching = true;
                    let root = self.root;
                    self.spawn_under(root, dispatcher, None);
                }
            }
        }
        if !delivered && self.signals.ignored & bit(signo) == 0 && !IGNORED_BY_DEFAULT.contains(&signo) {
            // No longer routed: a later waitForSignal blocks it again.
            self.signals.routed &= !bit(signo);
            default_action(signo);
        }
    }

    /// Whether the program waits for or listens to `signo`.
    pub fn subscribed(&self, signo: i32) -> bool {
        self.signals.waiters.iter().any(|(_, set)| set & bit(signo) != 0)
            || self.signals.listeners.get(signo as usize).is_some_and(|n| *n > 0)
    }

    pub fn set_signal_dispatcher(&mut self, dispatcher: Persistent<Function<'static>>) {
        self.signals.dispatcher = Some(dispatcher);
    }

    /// The dispatcher takes the signals that arrived; a later one starts a new dispatcher.
    pub fn take_arrived_signals(&mut self) -> Vec<i32> {
        self.signals.dispatching = false;
        std::mem::take(&mut self.signals.arrived)
    }
}

/// Whether the process ignored `signo` (SIG_IGN) before Uringy routed it.
fn was_ignored(signo: i32) -> bool {
    let mut old = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: only reads the current disposition into `old`.
    unsafe {
        libc::sigaction(signo, std::ptr::null(), old.as_mut_ptr()) == 0
            && old.assume_init().sa_sigaction == libc::SIG_IGN
    }
}

/// What the signal would have done had nobody subscribed: usually, ending the process.
pub fn default_action(signo: i32) {
    // SAFETY: restoring the default disposition and unblocking it, then raising it.
    unsafe {
        libc::signal(signo, libc::SIG_DFL);
        let mask = sigset(bit(signo));
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &mask, std::ptr::null_mut());
        libc::raise(signo);
    }
}

fn sigset(set: u64) -> libc::sigset_t {
    let mut mask = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: initialising the set, then adding members.
    unsafe {
        libc::sigemptyset(mask.as_mut_ptr());
        for signo in 1..=64 {
            if set & bit(signo) != 0 {
                libc::sigaddset(mask.as_mut_ptr(), signo);
            }
        }
        mask.assume_init()
    }
}
