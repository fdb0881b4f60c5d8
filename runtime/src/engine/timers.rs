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
}

#[derive(Default)]
pub struct Timers {
    last_id: u32,
    queue: BTreeSet<(Instant, u32)>,
    timers: HashMap<u32, Timer>,
}

impl Timers {
    pub fn start(&mut self, callback: Callback, delay: Duration, repeat: bool) -> u32 {
        self.last_id = self.last_id.wrapping_add(1).max(1);
        let id = self.last_id;
        let deadline = Instant::now() + delay;
        self.queue.insert((deadline, id));
        self.timers.insert(id, Timer { deadline, interval: repeat.then_some(delay), callback });
        id
    }

    pub fn clear(&mut self, id: u32) {
        if let Some(timer) = self.timers.remove(&id) {
            self.queue.remove(&(timer.deadline, id));
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.queue.first().map(|(deadline, _)| *deadline)
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
            None => self.timers.remove(&id).map(|t| t.callback),
        }
    }

    /// Drops every callback; the engine must not be torn down while they hold references.
    pub fn clear_all(&mut self) {
        self.queue.clear();
        self.timers.clear();
    }
}
