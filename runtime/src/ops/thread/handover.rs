//! Closing one thread's listener without dropping the connections queued on it (rule 13).
//! Under `--threads` every thread listens on the port with `SO_REUSEPORT`, and the kernel
//! queues each new connection on one of the listeners; closing a listener resets what is in
//! its queue (unless the sysctl `net.ipv4.tcp_migrate_req` is on). So a listener that closes
//! while another thread still listens on its address first accepts what is queued, and hands
//! each connection to a thread that still listens, whose `accept` returns it.
//!
//! The process's listeners are in one list, locked only to bind and close.

use std::{
    collections::VecDeque,
    os::fd::{FromRawFd, OwnedFd, RawFd},
    sync::Mutex,
};

use super::{mailbox::Letter, Shared};
use crate::{scheduler::Scheduler, uring::sys::net};

/// A listener of some thread of the process, on an address others may share.
struct Listening {
    addr: (String, u16),
    thread: usize,
    fd: RawFd,
}

static LISTENING: Mutex<Vec<Listening>> = Mutex::new(Vec::new());

fn listening() -> std::sync::MutexGuard<'static, Vec<Listening>> {
    LISTENING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Connections handed to one of this runtime's listeners, by listener.
#[derive(Default)]
pub struct Handed {
    queues: Vec<(RawFd, VecDeque<OwnedFd>)>,
}

/// Listener `fd` of this runtime listens on `addr` with `SO_REUSEPORT` under `--threads`.
pub fn listen(inbox: &Shared, addr: (String, u16), fd: RawFd) {
    let mut inbox = inbox.borrow_mut();
    let Some(thread) = inbox.seat.as_ref().map(|seat| seat.id) else { return };
    listening().push(Listening { addr, thread, fd });
    inbox.handed.queues.push((fd, VecDeque::new()));
}

/// A connection another thread handed to listener `fd`, if one waits.
pub fn take(inbox: &Shared, fd: RawFd) -> Option<OwnedFd> {
    let mut inbox = inbox.borrow_mut();
    inbox.handed.queues.iter_mut().find(|(listener, _)| *listener == fd)?.1.pop_front()
}

/// Whether listener `fd` takes handed connections (an `accept` cancelled by one tries again).
pub fn takes(inbox: &Shared, fd: RawFd) -> bool {
    inbox.borrow().handed.queues.iter().any(|(listener, _)| *listener == fd)
}

/// A connection handed to listener `fd` arrived: queued, and the accepts waiting on the
/// listener are woken (cancelled, to try again) to take it. One for a listener closed since
/// is closed.
pub fn arrived(s: &mut Scheduler, inbox: &Shared, fd: RawFd, stream: OwnedFd) {
    let mut inbox = inbox.borrow_mut();
    if let Some((_, queue)) = inbox.handed.queues.iter_mut().find(|(listener, _)| *listener == fd) {
        queue.push_back(stream);
        s.ring.cancel_fd(fd);
    }
}

/// Listener `fd` is about to close: the connections queued on it, and those handed to it and
/// not yet accepted, go to another thread's listener on the same address (none left: they
/// are closed with it, as without threads).
pub fn close(inbox: &Shared, fd: RawFd) {
    let (seat, mut queue) = {
        let mut inbox = inbox.borrow_mut();
        let Some(at) = inbox.handed.queues.iter().position(|(listener, _)| *listener == fd) else { return };
        let (_, queue) = inbox.handed.queues.swap_remove(at);
        (inbox.seat.clone(), queue)
    };
    let Some(seat) = seat else { return };
    let others: Vec<(usize, RawFd)> = {
        let mut all = listening();
        let Some(at) = all.iter().position(|l| l.thread == seat.id && l.fd == fd) else { return };
        let me = all.swap_remove(at);
        all.iter().filter(|l| l.addr == me.addr && l.thread != seat.id).map(|l| (l.thread, l.fd)).collect()
    };
    if others.is_empty() {
        return;
    }
    // SAFETY: each descriptor was just accepted and nothing else owns it.
    queue.extend(
        std::iter::from_fn(|| net::accept_queued(fd).ok().flatten())
            .map(|(stream, _)| unsafe { OwnedFd::from_raw_fd(stream) }),
    );
    for (n, stream) in queue.into_iter().enumerate() {
        let (thread, listener) = others[n % others.len()];
        // A thread that ended meanwhile drops it, which closes the connection.
        let _ = seat.directory.post(thread, Letter::Connection { listener, stream }, false);
    }
}
