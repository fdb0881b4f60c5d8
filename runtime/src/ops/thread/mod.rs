//! Ops of `uringy:thread`: which thread this is, and messages between threads ([`mailbox`]).
//! A runtime's mailroom answers its doorbell — a ring from another thread's ring, or its
//! eventfd — by taking the letters out of its mailbox: messages go to the fibers in `recv`
//! (or wait for the next one), a cancel cancels the program (rule 14).
//!
//! Without `--threads` there is one thread, 0, whose mailbox is made when the program first
//! sends or receives: `send(0, …)` reaches the program itself (rule 16).

pub mod handover;
pub mod mailbox;

use std::{
    cell::RefCell,
    collections::{HashMap, VecDeque},
    os::fd::AsRawFd,
    rc::Rc,
    sync::{mpsc::Receiver, Arc},
};

use rquickjs::{convert::List, Ctx, Result, Value};

use super::{fiber::cancel_mark, Ops, State};
use crate::{
    js::{clone, errors, userdata},
    scheduler::{handler_token, park, task::Resume, task::Wait, with, Handler, HandlerId, Scheduler, Waited},
    uring::{
        fd::Fd,
        op::{AnyOp, MsgRing, Poll},
        OpId,
    },
};
use mailbox::{Directory, Doorbell, Letter, Undeliverable};

/// A runtime's place among the process's threads.
#[derive(Clone)]
pub struct Seat {
    pub id: usize,
    pub directory: Arc<Directory>,
}

/// One runtime's side of the messages.
#[derive(Default)]
pub struct Inbox {
    seat: Option<Seat>,
    receiver: Option<Receiver<Letter>>,
    /// Messages taken out of the mailbox that no `recv` has taken yet, in order.
    arrived: VecDeque<(usize, Vec<u8>)>,
    /// Fibers in `recv`: their park token, and whether they keep the program alive (while
    /// another thread runs that could send).
    waiters: Vec<(u64, bool)>,
    /// Doorbells this runtime is ringing through its ring, by operation: the thread rung.
    ringing: HashMap<OpId, usize>,
    mailroom: Option<HandlerId>,
    /// Connections other threads handed to this runtime's listeners.
    handed: handover::Handed,
}

pub type Shared = Rc<RefCell<Inbox>>;

impl Inbox {
    pub fn new(seat: Option<Seat>) -> Shared {
        Rc::new(RefCell::new(Inbox { seat, ..Inbox::default() }))
    }

    /// This thread's id and the number of threads.
    fn place(&self) -> (usize, usize) {
        self.seat.as_ref().map_or((0, 1), |seat| (seat.id, seat.directory.count()))
    }
}

pub fn shared(ctx: &Ctx<'_>) -> Shared {
    userdata::with::<State, _>(ctx, |state| state.thread.clone()).unwrap_or_default()
}

/// Opens this runtime's mailbox and starts its mailroom: at start-up under `--threads`, on
/// first use without. `Err` with the errno when the mailbox cannot be made.
pub fn open(inbox: &Shared) -> std::result::Result<(), i32> {
    if inbox.borrow().mailroom.is_some() {
        return Ok(());
    }
    let seat = match inbox.borrow().seat.clone() {
        Some(seat) => seat,
        None => Seat { id: 0, directory: Directory::new(1)? },
    };
    let mailbox = seat.directory.mailbox(seat.id).expect("a seat's mailbox exists");
    let share = with(|s| s.ring.share())?;
    let event = Fd::borrowed(mailbox.event().as_raw_fd());
    let receiver = mailbox.open(share);
    {
        let mut inbox = inbox.borrow_mut();
        inbox.receiver = receiver;
        inbox.seat = Some(seat);
    }
    let mailroom = Mailroom { inbox: inbox.clone(), event };
    let id = with(|s| {
        s.add_handler(|s, me| {
            mailroom.poll(s, me);
            s.answer_doorbell(me);
            Some(Box::new(mailroom))
        })
    });
    inbox.borrow_mut().mailroom = Some(id);
    // Letters may have come before the mailroom opened.
    with(|s| deliver(s, inbox));
    Ok(())
}

/// Answers the doorbell: what is in the mailbox comes out.
fn deliver(s: &mut Scheduler, shared: &Shared) {
    let Some(seat) = shared.borrow().seat.clone() else { return };
    if let Some(mailbox) = seat.directory.mailbox(seat.id) {
        mailbox.answer();
    }
    let letters: Vec<Letter> = shared.borrow().receiver.as_ref().map(|r| r.try_iter().collect()).unwrap_or_default();
    for letter in letters {
        match letter {
            Letter::Message { from, data } => shared.borrow_mut().arrived.push_back((from, data)),
            Letter::Cancel => {
                s.cancel_root();
            }
            Letter::Ended if seat.directory.running() <= 1 => {
                // Nobody is left to send: a fiber in `recv` no longer keeps the program alive.
                for (_, held) in &mut shared.borrow_mut().waiters {
                    if std::mem::take(held) {
                        s.hold(-1);
                    }
                }
            }
            Letter::Ended => {}
            Letter::Connection { listener, stream } => handover::arrived(s, shared, listener, stream),
        }
    }
    let mut inbox = shared.borrow_mut();
    let wake = inbox.arrived.len().min(inbox.waiters.len());
    for (token, held) in inbox.waiters.drain(..wake) {
        if held {
            s.hold(-1);
        }
        s.unpark(token, Resume::Normal);
    }
}

/// Polls the mailbox's eventfd through the ring, answers the ring's doorbell, and sees the
/// doorbells this runtime rang through its ring through.
struct Mailroom {
    inbox: Shared,
    event: Rc<Fd>,
}

impl Mailroom {
    /// Without keeping the program alive: a letter may never come.
    fn poll(&self, s: &mut Scheduler, me: HandlerId) {
        if let Some(op) = Poll::new(&self.event, libc::POLLIN) {
            s.ring.submit_background(handler_token(me), op);
        }
    }
}

impl Handler for Mailroom {
    fn completed(&mut self, s: &mut Scheduler, me: HandlerId, op: OpId) -> bool {
        match s.ring.take(op) {
            Some((_, AnyOp::Poll(_))) => {
                deliver(s, &self.inbox);
                self.poll(s, me);
            }
            Some((done, AnyOp::MsgRing(_))) => {
                let to = self.inbox.borrow_mut().ringing.remove(&op);
                if done.result < 0 {
                    // The ring could not be rung: the eventfd then (it is always polled).
                    let seat = self.inbox.borrow().seat.clone();
                    if let Some(mailbox) = seat.as_ref().zip(to).and_then(|(seat, to)| seat.directory.mailbox(to)) {
                        mailbox.ring_event();
                    }
                }
            }
            _ => {}
        }
        false
    }

    /// Nobody waits for the mailroom itself.
    fn cancel(&mut self, _: &mut Scheduler) {}

    fn rang(&mut self, s: &mut Scheduler, _: HandlerId) {
        deliver(s, &self.inbox);
    }
}

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_thread_place", op_thread_place)?;
    ops.add("op_thread_send", op_thread_send)?;
    ops.add("op_thread_recv", op_thread_recv)
}

/// `[threadId, threadCount]`.
fn op_thread_place(ctx: Ctx<'_>) -> List<(usize, usize)> {
    List(shared(&ctx).borrow().place())
}

fn open_or_throw(ctx: &Ctx<'_>, inbox: &Shared) -> Result<()> {
    open(inbox).map_err(|errno| errors::throw_sys(ctx, errno, "eventfd", errors::Target::None))
}

/// Sends `message` (a value lib/ made for the wire) to thread `to`; never waits. A thread that
/// has ended is an error, or (`skip_ended`, for `broadcast`) skipped.
fn op_thread_send<'js>(ctx: Ctx<'js>, to: f64, message: Value<'js>, skip_ended: bool) -> Result<()> {
    let inbox = shared(&ctx);
    let (me, count) = inbox.borrow().place();
    if to.fract() != 0.0 || to < 0.0 || to >= count as f64 {
        let ids = if count == 1 { "0".to_string() } else { format!("0 to {}", count - 1) };
        return Err(errors::range_error(&ctx, &format!("send: no thread {to} (thread ids are {ids})")));
    }
    let to = to as usize;
    open_or_throw(&ctx, &inbox)?;
    let data = clone::write(&ctx, &message)?;
    let Some(seat) = inbox.borrow().seat.clone() else { return Ok(()) };
    let ringing = with(|s| s.ring.can_ring_others());
    match seat.directory.post(to, Letter::Message { from: me, data }, ringing) {
        Ok(Doorbell::Ring(ring)) => {
            let mailroom = inbox.borrow().mailroom.expect("opened above");
            let op = with(|s| s.ring.submit_background(handler_token(mailroom), MsgRing::new(&ring)));
            inbox.borrow_mut().ringing.insert(op, to);
            Ok(())
        }
        Ok(Doorbell::Rung | Doorbell::Pending) => Ok(()),
        Err(Undeliverable::Ended) if skip_ended => Ok(()),
        Err(Undeliverable::Ended) => Err(errors::plain_error(&ctx, &format!("send: thread {to} has ended"))),
        Err(Undeliverable::NoSuchThread) => Err(errors::range_error(&ctx, &format!("send: no thread {to}"))),
    }
}

/// Waits for the next message: `[from, value]`, or the cancel mark.
fn op_thread_recv<'js>(ctx: Ctx<'js>) -> Result<Value<'js>> {
    let inbox = shared(&ctx);
    open_or_throw(&ctx, &inbox)?;
    loop {
        let mut next = inbox.borrow_mut().arrived.pop_front();
        if next.is_none() {
            // What is in the mailbox already (a message to itself, before its doorbell).
            with(|s| deliver(s, &inbox));
            next = inbox.borrow_mut().arrived.pop_front();
        }
        if let Some((from, data)) = next {
            let value = clone::read(&ctx, &data)?;
            return crate::js::objects::array(&ctx, vec![Value::new_int(ctx.clone(), from as i32), value]);
        }
        let token = with(|s| s.park_token());
        let held = inbox.borrow().seat.as_ref().is_some_and(|seat| seat.directory.running() > 1);
        inbox.borrow_mut().waiters.push((token, held));
        if held {
            with(|s| s.hold(1));
        }
        let waited = park(Wait::Park(token));
        let mut state = inbox.borrow_mut();
        if let Some(at) = state.waiters.iter().position(|(t, _)| *t == token) {
            // Not woken by a delivery (cancelled): no longer waiting.
            let (_, held) = state.waiters.remove(at);
            if held {
                with(|s| s.hold(-1));
            }
        }
        drop(state);
        if matches!(waited, Waited::Cancelled) {
            return Ok(cancel_mark(&ctx));
        }
    }
}
