//! Signals as events fibers wait for (`waitForSignal`) or listen to (`onSignal`). The process's
//! one owner of signal dispositions (`uring::sys::signal`) writes each signal this runtime
//! subscribed to into a pipe of the runtime's; a [`Reader`] polls that pipe through the ring,
//! so a signal arrives in the scheduler's turn like any completion, never as code that
//! interrupts JS. One that arrives when nothing here waits or listens any more does what it
//! would have done without Uringy (SIGINT and SIGTERM end the process).

use std::{cell::RefCell, rc::Rc};

use rquickjs::{Ctx, Function, Persistent, Result, Value};

use super::super::{fiber::cancel_mark, Ops, State};
use crate::{
    js::{
        errors::{throw_sys, Target},
        userdata,
    },
    scheduler::{
        handler_token, park,
        task::{Resume, Wait},
        with, Handler, HandlerId, Scheduler, Waited,
    },
    uring::{
        fd::Fd,
        op::Poll,
        sys::signal::{act_as_unhandled, bit, Subscription},
        OpId,
    },
};

/// A runtime's signals: who waits and listens, and its subscription.
#[derive(Default)]
pub struct Signals {
    subscription: Option<Subscription>,
    /// Whether the pipe's reader runs.
    reading: bool,
    /// Fibers in `waitForSignal`: their park token and the signals they wait for.
    waiters: Vec<(u64, u64)>,
    /// `onSignal` subscriptions per signal number.
    listeners: Vec<u32>,
    /// Signals that arrived for listeners, taken by the dispatcher.
    arrived: Vec<i32>,
    /// lib/process.ts's function that calls the listeners (on a fiber of its own).
    dispatcher: Option<Persistent<Function<'static>>>,
    dispatching: bool,
}

/// The signals live in the ops' state; the reader holds them too.
pub type Shared = Rc<RefCell<Signals>>;

impl Signals {
    /// The signals someone here waits for or listens to.
    fn wanted(&self) -> u64 {
        let listened = (1..self.listeners.len() as i32).filter(|s| self.listeners[*s as usize] > 0);
        self.waiters.iter().fold(listened.fold(0, |set, s| set | bit(s)), |set, (_, w)| set | w)
    }

    /// Subscribes to exactly the signals wanted now: the pipe to poll when the reader is not
    /// running yet.
    fn subscribe(&mut self) -> std::result::Result<Option<Rc<Fd>>, i32> {
        let wanted = self.wanted();
        if self.subscription.is_none() && wanted == 0 {
            return Ok(None);
        }
        let subscription = match &mut self.subscription {
            Some(subscription) => subscription,
            None => self.subscription.insert(Subscription::new()?),
        };
        subscription.set(wanted)?;
        let start = !std::mem::replace(&mut self.reading, true);
        Ok(start.then(|| subscription.reader().clone()))
    }

    /// Delivers `signo` to the fibers waiting for it and to the listeners.
    fn deliver(&mut self, s: &mut Scheduler, signo: i32) {
        let mut delivered = false;
        for (token, set) in std::mem::take(&mut self.waiters) {
            if set & bit(signo) == 0 {
                self.waiters.push((token, set));
            } else if s.unpark(token, Resume::Code(signo)) {
                delivered = true;
            }
        }
        if self.listeners.get(signo as usize).is_some_and(|n| *n > 0) {
            delivered = true;
            self.arrived.push(signo);
            if let (false, Some(dispatcher)) = (self.dispatching, self.dispatcher.clone()) {
                // Without a stack for it, the signals wait for the next one that arrives.
                self.dispatching = s.spawn(dispatcher, None).is_ok();
            }
        }
        if !delivered {
            act_as_unhandled(signo);
        }
    }
}

fn shared(ctx: &Ctx<'_>) -> Shared {
    userdata::with::<State, _>(ctx, |state| state.signals.clone()).unwrap_or_default()
}

/// Subscribes to what is wanted now, and starts the reader if it is not running.
fn subscribe(ctx: &Ctx<'_>, signals: &Shared) -> Result<()> {
    let start = signals.borrow_mut().subscribe().map_err(|errno| throw_sys(ctx, errno, "sigaction", Target::None))?;
    if let Some(pipe) = start {
        let signals = signals.clone();
        with(|s| s.add_handler(|s, me| Some(Box::new(Reader::start(s, me, signals, pipe)))));
    }
    Ok(())
}

/// Reads the subscription's pipe: polls it through the ring (without keeping the program
/// alive: a signal may never come), takes what arrived, and polls again.
struct Reader {
    signals: Shared,
    pipe: Rc<Fd>,
}

impl Reader {
    fn start(s: &mut Scheduler, me: HandlerId, signals: Shared, pipe: Rc<Fd>) -> Reader {
        let reader = Reader { signals, pipe };
        reader.poll(s, me);
        reader
    }

    fn poll(&self, s: &mut Scheduler, me: HandlerId) {
        if let Some(op) = Poll::new(&self.pipe, libc::POLLIN) {
            s.ring.submit_background(handler_token(me), op);
        }
    }
}

impl Handler for Reader {
    fn completed(&mut self, s: &mut Scheduler, me: HandlerId, op: OpId) -> bool {
        s.ring.take(op);
        let mut signals = self.signals.borrow_mut();
        let arrived = signals.subscription.as_ref().map(Subscription::arrived).unwrap_or_default();
        for signo in arrived {
            signals.deliver(s, signo);
        }
        let _ = signals.subscribe();
        drop(signals);
        self.poll(s, me);
        false
    }

    /// Nobody waits for the reader itself.
    fn cancel(&mut self, _: &mut Scheduler) {}
}

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_process_wait_signal", op_process_wait_signal)?;
    ops.add("op_process_listen_signal", op_process_listen_signal)?;
    ops.add("op_process_signal_dispatcher", op_process_signal_dispatcher)?;
    ops.add("op_process_take_signals", op_process_take_signals)
}

fn invalid(ctx: &Ctx<'_>, signo: i32) -> rquickjs::Error {
    throw_sys(ctx, libc::EINVAL, "sigaction", Target::What(&format!("signal {signo}")))
}

/// Waits until one of `signals` (numbers) arrives: its number, or the cancel mark. While a
/// fiber waits, the program is not stuck (the signal can come from outside).
fn op_process_wait_signal<'js>(ctx: Ctx<'js>, numbers: Vec<i32>) -> Result<Value<'js>> {
    if let Some(bad) = numbers.iter().find(|s| !(1..=64).contains(*s)) {
        return Err(invalid(&ctx, *bad));
    }
    let set = numbers.iter().fold(0, |set, s| set | bit(*s));
    let signals = shared(&ctx);
    let token = with(|s| s.park_token());
    signals.borrow_mut().waiters.push((token, set));
    if let Err(e) = subscribe(&ctx, &signals) {
        signals.borrow_mut().waiters.retain(|(t, _)| *t != token);
        return Err(e);
    }
    with(|s| s.hold(1));
    let waited = park(Wait::Park(token));
    with(|s| s.hold(-1));
    match waited {
        Waited::Code(signo) => Ok(Value::new_int(ctx.clone(), signo)),
        _ => {
            signals.borrow_mut().waiters.retain(|(t, _)| *t != token);
            let _ = signals.borrow_mut().subscribe();
            Ok(cancel_mark(&ctx))
        }
    }
}

/// `onSignal` subscribes (`delta` 1) and its unsubscribe (-1). A listener keeps nothing alive.
fn op_process_listen_signal(ctx: Ctx<'_>, signo: i32, delta: i32) -> Result<()> {
    if !(1..=64).contains(&signo) {
        return Err(invalid(&ctx, signo));
    }
    let signals = shared(&ctx);
    {
        let mut signals = signals.borrow_mut();
        if signals.listeners.len() <= signo as usize {
            signals.listeners.resize(signo as usize + 1, 0);
        }
        let count = &mut signals.listeners[signo as usize];
        *count = count.saturating_add_signed(delta);
    }
    subscribe(&ctx, &signals)
}

/// lib/process.ts's function that runs the listeners of signals that arrived.
fn op_process_signal_dispatcher<'js>(ctx: Ctx<'js>, dispatcher: Function<'js>) {
    shared(&ctx).borrow_mut().dispatcher = Some(Persistent::save(&ctx, dispatcher));
}

/// The dispatcher takes the signals that arrived; a later one starts a new dispatcher.
fn op_process_take_signals(ctx: Ctx<'_>) -> Vec<i32> {
    let signals = shared(&ctx);
    let mut signals = signals.borrow_mut();
    signals.dispatching = false;
    std::mem::take(&mut signals.arrived)
}
