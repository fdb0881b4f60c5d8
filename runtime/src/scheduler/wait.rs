//! Waiting, for Rust code on a fiber: for an io_uring operation's completion ([`wait`]), for a
//! while ([`sleep`]), or for a [`Handler`]'s work ([`wait_handler`]). None needs a JS context,
//! so HTTP parsing, TLS records or `copy()` can be driven from Rust, and none needs `unsafe`:
//! the operation owns what the kernel touches, and the ring keeps it until its completion.

use std::time::Duration;

use rquickjs::Ctx;

use super::{
    task::{TaskId, Wait},
    with, Scheduler, Waited,
};
use crate::{
    js::errors,
    uring::{
        op::{Completion, Operation},
        OpId, Token,
    },
};

/// The wait did not happen: the fiber was cancelled (outside `shield`) before anything was
/// submitted, or the caller is not on a fiber.
#[derive(Debug)]
pub struct Cancelled;

/// Submits `op` for the running fiber and waits for its completion: the completion and the
/// operation back (with its buffer, its address, …). Cancelled while waiting, the operation is
/// cancelled in the kernel and this returns once the kernel has let go of it: with
/// `-ECANCELED`, or with its real result when it finished first (nothing it did is lost).
#[inline(always)]
pub fn wait<O: Operation>(op: O) -> Result<(Completion, O), Cancelled> {
    let id = with(|s| match s.current {
        Some(fiber) if !s.current_cancelled() => Ok(s.ring.submit(fiber_token(fiber), op)),
        _ => Err(Cancelled),
    })?;
    super::park(Wait::Io(id));
    let (done, op) = with(|s| s.ring.take(id)).expect("woken by the operation's completion");
    Ok((done, O::try_from(op).ok().expect("the ring gives back the operation it was given")))
}

/// `sleep(duration)` from the running fiber; its wake-up is set once it has switched away (the
/// timer queue's insertion is the deepest part of a sleep, and a fiber's memory is the stack
/// pages it ever touched).
#[inline(always)]
pub fn sleep(duration: Duration) -> Waited {
    let cancelled = with(|s| {
        if s.current_cancelled() {
            return true;
        }
        s.sleeper = s.current.map(|id| (id, duration));
        false
    });
    if cancelled {
        return Waited::Cancelled;
    }
    super::park(Wait::Sleep(None))
}

/// Work that completions drive without resuming a fiber at each one (`copy()` between two
/// descriptors, the signal pipe's reader). Its operations carry [`handler_token`].
pub trait Handler {
    /// Operation `op`, submitted by this handler (`me`), completed: `s.ring.take(op)` gives it
    /// back. Returns whether the handler is finished (it is then dropped).
    fn completed(&mut self, s: &mut Scheduler, me: HandlerId, op: OpId) -> bool;

    /// The fiber waiting for this handler ([`wait_handler`]) was cancelled: cancel what is in
    /// flight; the handler wakes the fiber once it has ended.
    fn cancel(&mut self, s: &mut Scheduler);

    /// Another thread rang this thread's ring, and this handler answers the doorbell
    /// ([`Scheduler::answer_doorbell`]).
    fn rang(&mut self, _s: &mut Scheduler, _me: HandlerId) {}
}

pub type HandlerId = u32;

/// Who a completion goes to, from its token.
pub(super) enum Owner {
    Fiber(TaskId),
    Handler(HandlerId),
}

const HANDLER: u64 = 1 << 63;

fn fiber_token(id: TaskId) -> Token {
    ((id.generation as u64) << 32) | id.index as u64
}

/// The token of `handler`'s operations.
pub fn handler_token(handler: HandlerId) -> Token {
    HANDLER | handler as u64
}

pub(super) fn owner(token: Token) -> Owner {
    if token & HANDLER != 0 {
        Owner::Handler((token & !HANDLER) as u32)
    } else {
        Owner::Fiber(TaskId { index: token as u32, generation: (token >> 32) as u32 })
    }
}

/// Parks the running fiber until `handler` wakes it ([`Scheduler::wake_handler_waiter`]);
/// its cancellation goes to the handler. Returns at once if the handler is gone.
pub fn wait_handler(handler: HandlerId) {
    if with(|s| s.handlers.get(handler as usize).is_some_and(Option::is_some)) {
        super::park(Wait::Handler(handler));
    }
}

impl Scheduler {
    /// Registers the handler `start` makes, given its id (its operations are submitted with
    /// [`handler_token`] of it); `start` returns `None` when the work ended at once.
    pub fn add_handler(
        &mut self,
        start: impl FnOnce(&mut Scheduler, HandlerId) -> Option<Box<dyn Handler>>,
    ) -> HandlerId {
        let id = match self.free_handlers.pop() {
            Some(free) => free,
            None => {
                self.handlers.push(None);
                self.handlers.len() as HandlerId - 1
            }
        };
        let handler = start(self, id);
        if handler.is_none() {
            self.free_handlers.push(id);
        }
        self.handlers[id as usize] = handler;
        id
    }

    pub(super) fn handler_completed(&mut self, id: HandlerId, op: OpId) {
        let Some(mut handler) = self.handlers.get_mut(id as usize).and_then(Option::take) else { return };
        if handler.completed(self, id, op) {
            self.free_handlers.push(id);
        } else {
            self.handlers[id as usize] = Some(handler);
        }
    }

    /// Makes `handler` the one that answers when another thread rings this thread's ring.
    pub fn answer_doorbell(&mut self, handler: HandlerId) {
        self.doorbell = Some(handler);
    }

    pub(super) fn doorbell_rang(&mut self) {
        let Some(id) = self.doorbell else { return };
        let Some(mut handler) = self.handlers.get_mut(id as usize).and_then(Option::take) else { return };
        handler.rang(self, id);
        self.handlers[id as usize] = Some(handler);
    }

    pub(super) fn cancel_handler(&mut self, id: HandlerId) {
        let Some(mut handler) = self.handlers.get_mut(id as usize).and_then(Option::take) else { return };
        handler.cancel(self);
        self.handlers[id as usize] = Some(handler);
    }

    /// Wakes `fiber` if it waits for a handler's work.
    pub fn wake_handler_waiter(&mut self, fiber: TaskId) {
        if self.tasks.fiber(fiber).is_some_and(|f| matches!(f.wait, Wait::Handler(_))) {
            self.wake(fiber, super::Resume::Normal);
        }
    }

    /// Something keeps the program alive (`+1`) or no longer does (`-1`) without an operation
    /// of its own in flight: a fiber waiting for a signal.
    pub fn hold(&mut self, delta: isize) {
        self.holds = self.holds.saturating_add_signed(delta);
    }
}

/// Throws a new `Cancelled` (lib/fiber.ts's class); returns the error that says one is pending.
#[cold]
#[inline(never)]
pub fn throw_cancelled(ctx: &Ctx<'_>) -> rquickjs::Error {
    let class = with(|s| s.hooks.cancelled.clone());
    let made = class.and_then(|c| c.restore(ctx).ok()).map(|class| {
        rquickjs::function::Constructor::from_value(class.into_value())
            .and_then(|c| c.construct::<_, rquickjs::Value>(()))
    });
    match made {
        Some(Ok(error)) => ctx.throw(error),
        Some(Err(e)) => e,
        None => errors::plain_error(ctx, "the fiber was cancelled"),
    }
}
