//! The task tree of structured concurrency. A task is a fiber, a scope inside a fiber
//! (`scope`/`timeout`), or a pending timer (`setTimeout`): each has a parent, children, a
//! cancelled flag and the failures its children passed up. Fibers own a stack only while their
//! function runs.

use std::rc::Rc;

use rquickjs::{Function, Object, Persistent};

use super::Saved;
use crate::fiber::context::Context;

/// A task's slot and generation, so that a stale id never names a newer task.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TaskId {
    pub index: u32,
    pub generation: u32,
}

impl TaskId {
    /// As a JS number (exact: below 2^53).
    pub fn to_f64(self) -> f64 {
        (((self.generation as u64) << 32) | self.index as u64) as f64
    }

    pub fn from_f64(value: f64) -> Option<TaskId> {
        if !(0.0..9_007_199_254_740_992.0).contains(&value) || value.fract() != 0.0 {
            return None;
        }
        let value = value as u64;
        Some(TaskId { index: value as u32, generation: (value >> 32) as u32 })
    }
}

/// How a fiber's function ended, or how the whole fiber ended.
pub enum Outcome {
    Returned(Saved),
    Threw(Saved),
    Cancelled,
}

/// What a parked fiber waits for, so that cancellation can take it back.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Wait {
    /// Not parked.
    Running,
    /// In the ready queue.
    Ready,
    /// `sleep`: the timer entry that will wake it (`None` until the scheduler has set it,
    /// right after the fiber switched away).
    Sleep(Option<super::timers::TimerKey>),
    /// `yieldNow`: back in the ready queue.
    Yield,
    /// `join` on another task.
    Join(TaskId),
    /// `park` with this token (promises, channels, mutexes): an `unpark` with it wakes it.
    Park(u64),
    /// A scope's end waiting for the scope's children: not interruptible.
    Children(TaskId),
    /// A job runner with no jobs.
    Idle,
    /// An io_uring operation in flight: woken by its completion only, also when cancelled
    /// (the kernel may use the operation's memory until then).
    Io(crate::uring::OpId),
    /// A handler's work (`copy()`), driven by completions until the handler wakes it; its
    /// cancellation is the handler's to carry out.
    Handler(super::HandlerId),
    /// Until the rejections pending now have been reported: not interruptible.
    Drain,
}

/// Why a parked fiber was woken.
pub enum Resume {
    Normal,
    /// A number for the op that waited (a signal's number).
    Code(i32),
    Value(Saved),
    Error(Saved),
    Cancelled,
}

/// A fiber's `Fiber` object (for `current()`) and its record (lib/fiber.ts), which the
/// scheduler writes the outcome into. Kept apart so that JS holds no cycle between them.
#[derive(Clone)]
pub struct Handle {
    pub record: Persistent<Object<'static>>,
    pub fiber: Persistent<Object<'static>>,
}

/// What a new fiber runs.
pub enum Entry {
    Function(Persistent<Function<'static>>),
    /// A timer's callback, looked up when the fiber starts: a timer cleared meanwhile (by a
    /// callback due at the same time) does not run.
    Timer(TaskId),
    /// The promise job runner.
    Jobs,
    /// The main module (root fiber).
    Main,
}

pub struct FiberState {
    pub wait: Wait,
    /// Its stack and where it stopped: a spawned fiber's from its spawn (which took the
    /// stack), the scheduler's own from their first run, until they are done.
    pub context: Option<Rc<Context>>,
    pub entry: Option<Entry>,
    /// Set when the function has ended; the fiber is done once its children are.
    pub ended: Option<Outcome>,
    pub joiners: Vec<TaskId>,
    /// Scopes entered and not left, innermost last; new fibers are spawned into the last.
    pub scopes: Vec<TaskId>,
    pub shield: u32,
    pub resume: Resume,
    /// The `Fiber` JS holds for it, and that `Fiber`'s record, settled when the fiber is done.
    pub handle: Option<Handle>,
    /// Whether this fiber is a job runner (promise jobs), which is not counted as a child
    /// while idle.
    pub runner: bool,
}

impl FiberState {
    pub fn new(entry: Entry) -> FiberState {
        FiberState {
            wait: Wait::Ready,
            context: None,
            entry: Some(entry),
            ended: None,
            joiners: Vec::new(),
            scopes: Vec::new(),
            shield: 0,
            resume: Resume::Normal,
            handle: None,
            runner: false,
        }
    }
}

pub enum Kind {
    Fiber(Box<FiberState>),
    /// A `scope`/`timeout` body running in `fiber`; `timer` is a `timeout`'s deadline entry.
    Scope {
        fiber: TaskId,
        timed_out: bool,
        timer: Option<super::timers::TimerKey>,
    },
    /// A `setTimeout`/`setInterval` not yet fired (an interval until cleared).
    Timer {
        callback: Persistent<Function<'static>>,
        interval: Option<std::time::Duration>,
        key: super::timers::TimerKey,
    },
}

pub struct Task {
    pub parent: Option<TaskId>,
    /// Where this task is in its parent's `children`, so leaving it costs O(1) however many
    /// children a parent has (a server's connections).
    pub slot: usize,
    pub children: Vec<TaskId>,
    pub cancelled: bool,
    /// Errors of children that failed with nobody joining them.
    pub failures: Vec<Saved>,
    pub kind: Kind,
}

impl Task {
    pub fn fiber(&self) -> Option<&FiberState> {
        match &self.kind {
            Kind::Fiber(f) => Some(f),
            _ => None,
        }
    }

    pub fn fiber_mut(&mut self) -> Option<&mut FiberState> {
        match &mut self.kind {
            Kind::Fiber(f) => Some(f),
            _ => None,
        }
    }
}

/// Tasks by id, reusing slots.
#[derive(Default)]
pub struct Tasks {
    slots: Vec<(u32, Option<Task>)>,
    free: Vec<u32>,
}

impl Tasks {
    pub fn insert(&mut self, task: Task) -> TaskId {
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.0 = slot.0.wrapping_add(1) & 0x1f_ffff; // keeps ids below 2^53
                slot.1 = Some(task);
                TaskId { index, generation: slot.0 }
            }
            None => {
                self.slots.push((0, Some(task)));
                TaskId { index: self.slots.len() as u32 - 1, generation: 0 }
            }
        }
    }

    pub fn get(&self, id: TaskId) -> Option<&Task> {
        match self.slots.get(id.index as usize) {
            Some((generation, Some(task))) if *generation == id.generation => Some(task),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, id: TaskId) -> Option<&mut Task> {
        match self.slots.get_mut(id.index as usize) {
            Some((generation, Some(task))) if *generation == id.generation => Some(task),
            _ => None,
        }
    }

    pub fn remove(&mut self, id: TaskId) -> Option<Task> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.0 != id.generation || slot.1.is_none() {
            return None;
        }
        self.free.push(id.index);
        slot.1.take()
    }

    pub fn fiber(&self, id: TaskId) -> Option<&FiberState> {
        self.get(id).and_then(Task::fiber)
    }

    pub fn fiber_mut(&mut self, id: TaskId) -> Option<&mut FiberState> {
        self.get_mut(id).and_then(Task::fiber_mut)
    }

    /// Every task, for teardown.
    pub fn drain(&mut self) -> impl Iterator<Item = Task> + '_ {
        self.free.clear();
        self.slots.drain(..).filter_map(|(_, t)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_survive_a_round_trip_through_js_numbers_and_stale_ids_miss() {
        let mut tasks = Tasks::default();
        let scope = || Task {
            parent: None,
            slot: 0,
            children: Vec::new(),
            cancelled: false,
            failures: Vec::new(),
            kind: Kind::Scope { fiber: TaskId { index: 0, generation: 0 }, timed_out: false, timer: None },
        };
        let a = tasks.insert(scope());
        tasks.remove(a);
        let b = tasks.insert(scope());
        assert_eq!(a.index, b.index);
        assert!(tasks.get(a).is_none(), "a stale id must not reach the slot's new task");
        assert_eq!(TaskId::from_f64(b.to_f64()), Some(b));
        assert_eq!(TaskId::from_f64(-1.0), None);
    }
}
