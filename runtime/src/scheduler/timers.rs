//! Deadlines, in order: the scheduler waits on the ring until the first one. Entries due at
//! the same instant fire in the order they were added, as timers do in Node and browsers.

use std::{collections::BTreeMap, time::Instant};

use rquickjs::{Function, Persistent};

use super::task::TaskId;

pub type TimerKey = (Instant, u64);

/// What a deadline does.
pub enum Fire {
    /// Wakes a fiber in `sleep`.
    Wake(TaskId),
    /// Runs a `setTimeout`/`setInterval` task's callback.
    Timer(TaskId),
    /// Cancels a `timeout` scope.
    Timeout(TaskId),
    /// A callback no task owns, which does not keep the program running (Node's `unref`).
    Daemon(Persistent<Function<'static>>),
}

#[derive(Default)]
pub struct Timers {
    seq: u64,
    queue: BTreeMap<TimerKey, Fire>,
}

impl Timers {
    pub fn add(&mut self, deadline: Instant, fire: Fire) -> TimerKey {
        self.seq += 1;
        let key = (deadline, self.seq);
        self.queue.insert(key, fire);
        key
    }

    pub fn remove(&mut self, key: TimerKey) -> Option<Fire> {
        self.queue.remove(&key)
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.queue.first_key_value().map(|((deadline, _), _)| *deadline)
    }

    /// The first entry due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Fire> {
        let (&key, _) = self.queue.first_key_value().filter(|((deadline, _), _)| *deadline <= now)?;
        self.queue.remove(&key)
    }

    /// Keeps only the entries `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&TimerKey, &mut Fire) -> bool) {
        self.queue.retain(keep);
    }

    /// Drops every entry (their callbacks hold engine values).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn entries_due_together_fire_in_the_order_they_were_added() {
        let mut timers = Timers::default();
        let now = Instant::now();
        let id = |index| TaskId { index, generation: 0 };
        timers.add(now + Duration::from_millis(5), Fire::Wake(id(3)));
        timers.add(now, Fire::Wake(id(1)));
        timers.add(now, Fire::Wake(id(2)));
        let order: Vec<u32> = std::iter::from_fn(|| match timers.pop_due(now) {
            Some(Fire::Wake(t)) => Some(t.index),
            _ => None,
        })
        .collect();
        assert_eq!(order, [1, 2], "the later entry is not due yet");
        assert_eq!(timers.next_deadline(), Some(now + Duration::from_millis(5)));
    }

    #[test]
    fn a_removed_entry_never_fires() {
        let mut timers = Timers::default();
        let now = Instant::now();
        let key = timers.add(now, Fire::Wake(TaskId { index: 0, generation: 0 }));
        assert!(timers.remove(key).is_some());
        assert!(timers.pop_due(now).is_none());
    }
}
