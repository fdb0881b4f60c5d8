//! `setTimeout`/`setInterval` deadlines, ordered so that timers due at the same instant fire
//! in the order they were set, as in Node and browsers.

use std::{
    collections::{BTreeSet, HashMap},
    time::{Duration, Instant},
};

use rquickjs::{Function, Persistent};

pub type Callback = Persistent<Function<'static>>;

struct Timer {
    deadline: Instant,
    interval: Option<Duration>,
    callback: Callback,
    /// Whether this timer alone keeps the program running (Node's `ref`).
    referenced: bool,
}

#[derive(Default)]
pub struct Timers {
    last_id: u32,
    queue: BTreeSet<(Instant, u32)>,
    timers: HashMap<u32, Timer>,
    referenced: usize,
}

impl Timers {
    pub fn start(&mut self, callback: Callback, delay: Duration, repeat: bool) -> u32 {
        self.last_id = self.last_id.wrapping_add(1).max(1);
        let id = self.last_id;
        let deadline = Instant::now() + delay;
        self.queue.insert((deadline, id));
        self.timers.insert(id, Timer { deadline, interval: repeat.then_some(delay), callback, referenced: true });
        self.referenced += 1;
        id
    }

    pub fn clear(&mut self, id: u32) {
        if let Some(timer) = self.timers.remove(&id) {
            self.queue.remove(&(timer.deadline, id));
            self.referenced -= usize::from(timer.referenced);
        }
    }

    /// The timer still fires, but no longer keeps the program running by itself.
    pub fn unref(&mut self, id: u32) {
        if let Some(timer) = self.timers.get_mut(&id).filter(|t| t.referenced) {
            timer.referenced = false;
            self.referenced -= 1;
        }
    }

    /// When the next timer fires, if any timer keeps the program running.
    pub fn next_deadline(&self) -> Option<Instant> {
        (self.referenced > 0).then(|| self.queue.first().map(|(deadline, _)| *deadline)).flatten()
    }

    /// The callback of the first timer due at `now`; an interval is re-armed before it runs,
    /// so that the callback may clear it.
    pub fn take_due(&mut self, now: Instant) -> Option<Callback> {
        let &(deadline, id) = self.queue.first().filter(|(deadline, _)| *deadline <= now)?;
        self.queue.remove(&(deadline, id));
        let timer = self.timers.get_mut(&id)?;
        match timer.interval {
            Some(interval) => {
                timer.deadline = now + interval;
                self.queue.insert((timer.deadline, id));
                Some(timer.callback.clone())
            }
            None => {
                let timer = self.timers.remove(&id)?;
                self.referenced -= usize::from(timer.referenced);
                Some(timer.callback)
            }
        }
    }

    /// Drops every callback; the engine must not be torn down while they hold references.
    pub fn clear_all(&mut self) {
        self.queue.clear();
        self.timers.clear();
        self.referenced = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(rt: &rquickjs::Runtime) -> Callback {
        let ctx = rquickjs::Context::full(rt).unwrap();
        ctx.with(|ctx| Persistent::save(&ctx, Function::new(ctx.clone(), || ()).unwrap()))
    }

    #[test]
    fn unreferenced_timers_fire_only_while_another_keeps_the_loop_alive() {
        let rt = rquickjs::Runtime::new().unwrap();
        let mut timers = Timers::default();
        let weak = timers.start(callback(&rt), Duration::ZERO, false);
        timers.unref(weak);
        assert_eq!(timers.next_deadline(), None, "an unreferenced timer alone ends the program");
        let strong = timers.start(callback(&rt), Duration::from_millis(5), false);
        assert!(timers.next_deadline().is_some());
        assert!(timers.take_due(Instant::now()).is_some(), "the unreferenced timer still fires");
        timers.clear(strong);
        assert_eq!(timers.next_deadline(), None);
        timers.clear_all();
    }

    #[test]
    fn timers_due_together_fire_in_the_order_they_were_set() {
        let rt = rquickjs::Runtime::new().unwrap();
        let mut timers = Timers::default();
        let first = timers.start(callback(&rt), Duration::ZERO, false);
        let second = timers.start(callback(&rt), Duration::ZERO, false);
        assert!(first < second);
        let later = Instant::now() + Duration::from_millis(1);
        let order: Vec<u32> = std::iter::from_fn(|| {
            let (_, id) = *timers.queue.first()?;
            timers.take_due(later).map(|_| id)
        })
        .collect();
        assert_eq!(order, [first, second]);
    }
}
