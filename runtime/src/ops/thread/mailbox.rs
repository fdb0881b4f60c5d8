//! The threads' mailboxes: the one thing threads share (API.md, rules 13–17). Each thread has
//! a mailbox; any thread drops letters into it and rings its doorbell; only its own thread
//! takes them out. Nothing here locks on the way of a message: the queue is a channel
//! (lock-free for senders), and a doorbell is rung only when none is pending, so a burst of
//! messages costs one wake-up.
//!
//! The doorbell is an `IORING_OP_MSG_RING` from the sender's ring into the receiver's (no
//! system call of its own: it goes with the sender's next `io_uring_enter`). Where the kernel
//! lacks it, where it failed, and from code outside a runtime (a thread that has ended and
//! cancels the others), the doorbell is the receiver's eventfd, which its ring polls.

use std::{
    os::fd::{OwnedFd, RawFd},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc::{self, Receiver, Sender},
        Arc, Mutex, OnceLock,
    },
};

use crate::uring::sys::event;

/// What one thread hands another.
pub enum Letter {
    /// A message from `send`: the serialized value ([`crate::js::clone`]).
    Message { from: usize, data: Vec<u8> },
    /// Another thread's root failed: this thread's program is cancelled (rule 14).
    Cancel,
    /// A thread ended: who waits in `recv` may now wait for nothing.
    Ended,
    /// A connection for this thread's listener `listener`, from a listener on the same
    /// address that closed (`handover`).
    Connection { listener: RawFd, stream: OwnedFd },
}

/// The mailboxes of every thread of the process, by thread id.
pub struct Directory {
    mailboxes: Vec<Mailbox>,
    /// Threads whose program has not ended.
    running: AtomicUsize,
}

pub struct Mailbox {
    sender: Sender<Letter>,
    /// Taken by its thread when it starts.
    receiver: Mutex<Option<Receiver<Letter>>>,
    /// Its thread's program has ended: letters are refused (the receiver itself may live on
    /// in a runtime left to the process's exit).
    ended: AtomicBool,
    /// The thread's ring, for the others to ring, once it has one.
    ring: OnceLock<Arc<OwnedFd>>,
    /// A doorbell is pending: the receiver has not yet looked since it was rung.
    rung: AtomicBool,
    /// The doorbell for when the ring cannot be rung.
    event: OwnedFd,
}

/// Why a letter could not be delivered.
#[derive(Debug, PartialEq, Eq)]
pub enum Undeliverable {
    /// No thread has that id.
    NoSuchThread,
    /// That thread's program has ended.
    Ended,
}

/// How to ring a mailbox's doorbell: through its ring (the caller submits the operation), or
/// already done through its eventfd.
pub enum Doorbell {
    Ring(Arc<OwnedFd>),
    Rung,
    /// One was pending already.
    Pending,
}

impl Directory {
    /// Mailboxes for `count` threads; `Err` with the errno if an eventfd cannot be made.
    pub fn new(count: usize) -> Result<Arc<Directory>, i32> {
        let mailboxes = (0..count)
            .map(|_| {
                let (sender, receiver) = mpsc::channel();
                Ok(Mailbox {
                    sender,
                    receiver: Mutex::new(Some(receiver)),
                    ended: AtomicBool::new(false),
                    ring: OnceLock::new(),
                    rung: AtomicBool::new(false),
                    event: event::new()?,
                })
            })
            .collect::<Result<Vec<_>, i32>>()?;
        Ok(Arc::new(Directory { mailboxes, running: AtomicUsize::new(count) }))
    }

    pub fn count(&self) -> usize {
        self.mailboxes.len()
    }

    /// Threads whose program has not ended.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    pub fn mailbox(&self, id: usize) -> Option<&Mailbox> {
        self.mailboxes.get(id)
    }

    /// Drops `letter` into thread `to`'s mailbox; says how to ring its doorbell (`ringing`:
    /// whether the caller can submit a `MsgRing`, else the eventfd is used).
    pub fn post(&self, to: usize, letter: Letter, ringing: bool) -> Result<Doorbell, Undeliverable> {
        let mailbox = self.mailboxes.get(to).ok_or(Undeliverable::NoSuchThread)?;
        if mailbox.ended.load(Ordering::Acquire) {
            return Err(Undeliverable::Ended);
        }
        mailbox.sender.send(letter).map_err(|_| Undeliverable::Ended)?;
        // After the letter is in: a receiver that clears `rung` then looks finds it, or its
        // clearing came after this swap and the next sender rings again.
        if mailbox.rung.swap(true, Ordering::AcqRel) {
            return Ok(Doorbell::Pending);
        }
        match mailbox.ring.get().filter(|_| ringing) {
            Some(ring) => Ok(Doorbell::Ring(ring.clone())),
            None => {
                event::notify(&mailbox.event);
                Ok(Doorbell::Rung)
            }
        }
    }

    /// Tells every other thread something from outside a runtime (through eventfds).
    pub fn post_to_others(&self, from: usize, letter: impl Fn() -> Letter) {
        for to in (0..self.count()).filter(|to| *to != from) {
            let _ = self.post(to, letter(), false);
        }
    }

    /// Thread `id`'s program ended: its mailbox takes no more letters, and the others hear of it.
    pub fn end(&self, id: usize) {
        if let Some(mailbox) = self.mailboxes.get(id) {
            mailbox.ended.store(true, Ordering::Release);
            drop(mailbox.receiver.lock().unwrap_or_else(|e| e.into_inner()).take());
        }
        self.running.fetch_sub(1, Ordering::AcqRel);
        self.post_to_others(id, || Letter::Ended);
    }
}

impl Mailbox {
    /// The thread's own side: its receiver (once), after its ring is known to the others.
    pub fn open(&self, ring: OwnedFd) -> Option<Receiver<Letter>> {
        let _ = self.ring.set(Arc::new(ring));
        self.receiver.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Before the receiver looks: later letters ring again.
    pub fn answer(&self) {
        self.rung.store(false, Ordering::Release);
        event::clear(&self.event);
    }

    /// The eventfd the receiver's ring polls.
    pub fn event(&self) -> &OwnedFd {
        &self.event
    }

    /// Rings through the eventfd (a ring doorbell that failed).
    pub fn ring_event(&self) {
        event::notify(&self.event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_letters_rings_the_doorbell_once_until_it_is_answered() {
        let directory = Directory::new(2).unwrap();
        let mailbox = directory.mailbox(1).unwrap();
        let receiver = mailbox.receiver.lock().unwrap().take().unwrap();
        let letter = |n: u8| Letter::Message { from: 0, data: vec![n] };
        assert!(matches!(directory.post(1, letter(1), false), Ok(Doorbell::Rung)));
        assert!(matches!(directory.post(1, letter(2), false), Ok(Doorbell::Pending)));
        mailbox.answer();
        assert!(matches!(directory.post(1, letter(3), false), Ok(Doorbell::Rung)));
        let order: Vec<u8> = receiver
            .try_iter()
            .map(|l| match l {
                Letter::Message { data, .. } => data[0],
                _ => 0,
            })
            .collect();
        assert_eq!(order, [1, 2, 3], "in the order sent");
    }

    #[test]
    fn letters_to_an_ended_thread_or_no_thread_are_undeliverable() {
        let directory = Directory::new(2).unwrap();
        directory.end(1);
        assert_eq!(directory.running(), 1);
        assert!(matches!(directory.post(1, Letter::Cancel, false), Err(Undeliverable::Ended)));
        assert!(matches!(directory.post(2, Letter::Cancel, false), Err(Undeliverable::NoSuchThread)));
    }
}
