//! The thread's scheduler: runs fibers one at a time, each on its own stack, and between them
//! waits on the ring.
//!
//! All JS runs on fibers — the main module on the root fiber, promise jobs on job-runner
//! fibers, timer callbacks on fibers of their own — so any of it may call a function that
//! waits. A wait parks the fiber and switches to the scheduler's stack (the thread's original
//! one), where no JS that could wait ever runs. One turn runs the fibers that were ready when
//! it began, fires due timers, and makes at most one `io_uring_enter`, which blocks only when
//! nothing is ready. A fiber that keeps yielding goes to the back of the queue, so it cannot
//! starve timers or IO.
//!
//! Structured concurrency (API.md, rules 1–12) lives in the task tree ([`task`]): a fiber is
//! done when its function has ended and all its children are done; a failure nobody joins
//! passes to the parent, which is cancelled and fails with it.

mod fibers;
mod rejections;
pub mod task;
pub mod timers;
mod wait;

use std::{
    cell::{Cell, RefCell},
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use rquickjs::{Function, Object, Persistent, Value};

use crate::{
    fiber::stack::{Stack, StackPool},
    js::engine::Engine,
    uring::{OpId, Ring, RingError, Token},
};
pub use fibers::{flush_effects, park, report_uncaught, restore, run, stack_error, wait_promise, End, MainFn};
pub use rejections::{forget_rejection, rejection_below, track_rejection, Thrown};
use task::{Entry, FiberState, Handle, Kind, Outcome, Resume, Task, TaskId, Tasks, Wait};
use timers::{Fire, Timers};
pub use wait::{handler_token, sleep, throw_cancelled, wait, wait_handler, Cancelled, Handler, HandlerId};

/// A JS value kept across waits and turns.
pub type Saved = Persistent<Value<'static>>;

/// Where a thread keeps its scheduler: made once per thread and never freed (a few bytes), so
/// that the thread-local holding it needs no destructor — reading it is then a plain load, and
/// ops reach the scheduler on every call.
type Slot = RefCell<Option<Box<Scheduler>>>;

thread_local! {
    /// The slot of the scheduler of the runtime this thread runs (one at a time).
    static CURRENT: Cell<Option<&'static Slot>> = const { Cell::new(None) };
}

fn slot() -> &'static Slot {
    match CURRENT.get() {
        Some(slot) => slot,
        None => {
            let slot: &'static Slot = Box::leak(Box::default());
            CURRENT.set(Some(slot));
            slot
        }
    }
}

/// Makes `scheduler` the one this thread's ops and fibers reach.
pub fn install(scheduler: Scheduler) {
    *slot().borrow_mut() = Some(Box::new(scheduler));
}

/// Takes this thread's scheduler out (its runtime is going), to be dropped or left.
pub fn uninstall() -> Option<Scheduler> {
    slot().borrow_mut().take().map(|s| *s)
}

/// Runs `f` on this thread's scheduler if one is installed (a runtime being torn down may
/// not have got that far).
pub fn try_with<R>(f: impl FnOnce(&mut Scheduler) -> R) -> Option<R> {
    slot().borrow_mut().as_deref_mut().map(f)
}

/// Runs `f` on this thread's scheduler. Never across a switch (a wait): the borrow ends with
/// `f`, and code that waits takes what it needs out first. Inlined: its frames would sit under
/// the waits that use it.
#[inline(always)]
pub fn with<R>(f: impl FnOnce(&mut Scheduler) -> R) -> R {
    let slot = CURRENT.get().expect("a runtime runs on this thread");
    f(slot.borrow_mut().as_deref_mut().expect("a runtime runs on this thread"))
}

/// The root fiber's stack, at least: as deep as a main thread's, so the main module recurses as
/// deeply as programs written for Node expect, whatever `--stack-size` gives other fibers.
/// Untouched pages cost nothing.
const ROOT_STACK: usize = 8 * 1024 * 1024;

/// What a wait returned to the code that waited.
pub enum Waited {
    Done,
    Code(i32),
    Value(Saved),
    Error(Saved),
    Cancelled,
}

/// JS functions of `lib/fiber.ts` that the scheduler calls.
#[derive(Default)]
pub struct Hooks {
    /// `Cancelled`, to tell a fiber's own cancellation from a failure.
    pub cancelled: Option<Persistent<Function<'static>>>,
    /// What a wait that was cancelled returns to lib/ (a private symbol), so that waits return
    /// their value directly instead of a `[status, value]` pair.
    pub cancel_mark: Option<Persistent<rquickjs::Value<'static>>>,
}

/// How the program's root ended.
pub enum RootEnd {
    Returned(Saved),
    /// The errors, and whether the first was an unhandled rejection.
    Failed(Vec<Saved>, bool),
    Cancelled,
}

/// How a finished fiber ended, as recorded in its `Fiber`'s record.
pub enum Settled {
    Returned(Saved),
    Failed(Vec<Saved>),
    Cancelled,
}

/// A finished fiber's outcome, written into its `Fiber` record once the scheduler is no longer
/// borrowed (`flush_effects`).
pub struct Effect {
    pub record: Persistent<Object<'static>>,
    pub settled: Settled,
    pub cancelled: bool,
}

pub struct Scheduler {
    engine: Engine,
    tasks: Tasks,
    ready: VecDeque<TaskId>,
    current: Option<TaskId>,
    pool: StackPool,
    root_pool: StackPool,
    timers: Timers,
    pub ring: Ring,
    /// Completions reaped this turn, to deliver (kept to reuse its memory).
    completed: Vec<(Token, OpId)>,
    /// What completions drive besides fibers (`copy()`, the signal pipe's reader), by id.
    handlers: Vec<Option<Box<dyn Handler>>>,
    free_handlers: Vec<u32>,
    /// The handler that answers when another thread rings the ring.
    doorbell: Option<HandlerId>,
    /// Things that keep the program alive without an operation of their own in flight (a
    /// fiber waiting for a signal).
    holds: usize,
    /// Fibers parked with a token, by token.
    parked: HashMap<u64, TaskId>,
    /// Unparks that came before their park (a thenable that settles inside `then`).
    early: HashMap<u64, Resume>,
    park_seq: u64,
    /// The last token handed out, whose park may not have happened yet.
    pending_token: Option<u64>,
    /// The token the root waits on for the main module, to tell a top-level await that never
    /// settles from other waits when nothing can run.
    pub main_token: Option<u64>,
    /// The main module's promise while the root waits for it (read from the engine's state
    /// once promise jobs have run; never through `then`, which a program can replace).
    main_promise: Option<Persistent<rquickjs::Promise<'static>>>,
    /// The job runner that is idle or running jobs (one parked inside a job is replaced).
    runner: Option<TaskId>,
    /// Whether a job runner got no stack (the program failed with that once).
    runner_starved: bool,
    /// The first job runner's stack, taken at start-up: a program that runs out of memory for
    /// fibers (and catches that) can still run promise jobs.
    runner_stack: Option<Stack>,
    root: Option<TaskId>,
    main: Option<MainFn>,
    root_end: Option<RootEnd>,
    /// Whether the root's first failure was an unhandled rejection (for the report).
    root_rejection: bool,
    /// Rejected promises nobody has handled yet (`rejections`).
    rejections: Vec<rejections::Rejection>,
    /// Values other than errors that fibers' functions threw, and where (for the report).
    pub thrown: Vec<Thrown>,
    /// Fibers whose function has ended (or whose scope is closing) while a rejection that
    /// happened below them was pending: they wait until it has been reported (`Wait::Drain`).
    draining: Vec<TaskId>,
    /// A fiber that parked in `sleep`, and for how long: armed once it has switched away.
    sleeper: Option<(TaskId, Duration)>,
    effects: Vec<Effect>,
    pub hooks: Hooks,
}

impl Scheduler {
    /// A scheduler for the runtime of `engine`, with fibers' stacks of `stack_size`.
    pub fn new(engine: Engine, ring: Ring, stack_size: usize) -> Scheduler {
        let mut pool = StackPool::new(stack_size);
        let runner_stack = pool.take().ok();
        Scheduler {
            engine,
            tasks: Tasks::default(),
            ready: VecDeque::new(),
            current: None,
            pool,
            runner_stack,
            root_pool: StackPool::with_slab(stack_size.max(ROOT_STACK), 1),
            timers: Timers::default(),
            ring,
            completed: Vec::new(),
            handlers: Vec::new(),
            free_handlers: Vec::new(),
            doorbell: None,
            holds: 0,
            parked: HashMap::new(),
            early: HashMap::new(),
            park_seq: 0,
            pending_token: None,
            main_token: None,
            main_promise: None,
            runner: None,
            runner_starved: false,
            root: None,
            main: None,
            root_end: None,
            root_rejection: false,
            rejections: Vec::new(),
            thrown: Vec::new(),
            draining: Vec::new(),
            sleeper: None,
            effects: Vec::new(),
            hooks: Hooks::default(),
        }
    }

    // ----- queries ----------------------------------------------------------------------

    pub fn current(&self) -> Option<TaskId> {
        self.current
    }

    fn current_fiber(&self) -> Option<&FiberState> {
        self.tasks.fiber(self.current?)
    }

    /// Where a task made now belongs: the innermost scope of the running fiber. Promise jobs
    /// (job runners) and the scheduler itself make tasks for the root: a job's continuation
    /// belongs to no fiber, and the program must wait for what it starts.
    fn spawn_parent(&self) -> Option<TaskId> {
        match (self.current, self.current_fiber()) {
            (Some(id), Some(fiber)) => match fiber.scopes.last() {
                Some(scope) => Some(*scope),
                None if fiber.runner => self.root,
                None => Some(id),
            },
            _ => self.root,
        }
    }

    /// Whether a wait in the running fiber is interrupted now: its innermost scope (or the
    /// fiber) is cancelled and it is not inside `shield`.
    pub fn current_cancelled(&self) -> bool {
        let Some(fiber) = self.current_fiber() else { return false };
        fiber.shield == 0 && self.spawn_parent().and_then(|t| self.tasks.get(t)).is_some_and(|t| t.cancelled)
    }

    pub fn is_cancelled(&self, id: TaskId) -> bool {
        self.tasks.get(id).is_some_and(|t| t.cancelled)
    }

    pub fn exists(&self, id: TaskId) -> bool {
        self.tasks.get(id).is_some()
    }

    /// Whether `ancestor` is `id` or one of the tasks above it.
    fn is_ancestor(&self, ancestor: TaskId, mut id: TaskId) -> bool {
        loop {
            if id == ancestor {
                return true;
            }
            match self.tasks.get(id).and_then(|t| t.parent) {
                Some(parent) => id = parent,
                None => return false,
            }
        }
    }

    pub fn handle(&self, id: TaskId) -> Option<Handle> {
        self.tasks.fiber(id)?.handle.clone()
    }

    pub fn set_handle(&mut self, id: TaskId, handle: Handle) {
        if let Some(fiber) = self.tasks.fiber_mut(id) {
            fiber.handle = Some(handle);
        }
    }

    pub fn has_effects(&self) -> bool {
        !self.effects.is_empty()
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    // ----- the tree ---------------------------------------------------------------------

    fn add_task(&mut self, parent: Option<TaskId>, kind: Kind) -> TaskId {
        let cancelled = parent.and_then(|p| self.tasks.get(p)).is_some_and(|p| p.cancelled);
        let slot = parent.and_then(|p| self.tasks.get(p)).map_or(0, |p| p.children.len());
        let id = self.tasks.insert(Task { parent, slot, children: Vec::new(), cancelled, failures: Vec::new(), kind });
        if let Some(parent) = parent.and_then(|p| self.tasks.get_mut(p)) {
            parent.children.push(id);
        }
        id
    }

    /// Starts the root fiber, which runs `main` (the main module).
    pub fn start_root(&mut self, main: MainFn) -> TaskId {
        self.main = Some(main);
        let id = self.add_task(None, Kind::Fiber(Box::new(FiberState::new(Entry::Main))));
        self.ready.push_back(id);
        self.root = Some(id);
        id
    }

    /// A new fiber running `function`, a child of the running fiber's innermost scope.
    /// Its stack is taken now, so that running out of memory is an error `spawn` throws.
    pub fn spawn(
        &mut self,
        function: Persistent<Function<'static>>,
        handle: Option<Handle>,
    ) -> std::io::Result<TaskId> {
        let stack = self.pool.take()?;
        let parent = self.spawn_parent();
        let id = self.spawn_under(parent, function, handle);
        if let Some(fiber) = self.tasks.fiber_mut(id) {
            fiber.context = Some(fibers::context(stack));
        }
        Ok(id)
    }

    fn spawn_under(
        &mut self,
        parent: Option<TaskId>,
        function: Persistent<Function<'static>>,
        handle: Option<Handle>,
    ) -> TaskId {
        let mut fiber = FiberState::new(Entry::Function(function));
        fiber.handle = handle;
        let id = self.add_task(parent, Kind::Fiber(Box::new(fiber)));
        self.ready.push_back(id);
        id
    }

    /// Enters a `scope` (or, with `limit`, a `timeout`) in the running fiber.
    pub fn enter_scope(&mut self, limit: Option<Duration>) -> Option<TaskId> {
        let fiber = self.current?;
        let parent = self.spawn_parent();
        let id = self.add_task(parent, Kind::Scope { fiber, timed_out: false, timer: None });
        if let Some(limit) = limit {
            let key = self.timers.add(Instant::now() + limit, Fire::Timeout(id));
            if let Some(Kind::Scope { timer, .. }) = self.tasks.get_mut(id).map(|t| &mut t.kind) {
                *timer = Some(key);
            }
        }
        self.tasks.fiber_mut(fiber)?.scopes.push(id);
        Some(id)
    }

    /// Whether the scope still has children to wait for.
    pub fn scope_busy(&self, scope: TaskId) -> bool {
        self.tasks.get(scope).is_some_and(|t| !t.children.is_empty())
    }

    /// Leaves a scope whose children are all done: its failures (the first is thrown) and
    /// whether its time limit passed.
    pub fn exit_scope(&mut self, scope: TaskId) -> (Vec<Saved>, bool) {
        let Some(task) = self.tasks.remove(scope) else { return (Vec::new(), false) };
        let Kind::Scope { fiber, timed_out, timer } = task.kind else { return (Vec::new(), false) };
        if let Some(key) = timer {
            self.timers.remove(key);
        }
        if let Some(fiber) = self.tasks.fiber_mut(fiber) {
            fiber.scopes.retain(|s| *s != scope);
        }
        self.detach(task.parent, task.slot);
        (task.failures, timed_out)
    }

    pub fn shield(&mut self, delta: i32) {
        if let Some(fiber) = self.current.and_then(|id| self.tasks.fiber_mut(id)) {
            fiber.shield = fiber.shield.saturating_add_signed(delta);
        }
    }

    // ----- timers -----------------------------------------------------------------------

    /// A `setTimeout`/`setInterval` under the running fiber's innermost scope; without
    /// `referenced`, a daemon timer that no task owns and that keeps nothing alive.
    pub fn set_timer(
        &mut self,
        callback: Persistent<Function<'static>>,
        delay: Duration,
        repeat: bool,
        referenced: bool,
    ) -> f64 {
        let deadline = Instant::now() + delay;
        if !referenced {
            let key = self.timers.add(deadline, Fire::Daemon(callback));
            // Daemon timers are cleared by their key's sequence number, negated.
            return -(key.1 as f64);
        }
        let parent = self.spawn_parent();
        let id = self.add_task(parent, Kind::Timer { callback, interval: repeat.then_some(delay), key: (deadline, 0) });
        let key = self.timers.add(deadline, Fire::Timer(id));
        if let Some(Kind::Timer { key: k, .. }) = self.tasks.get_mut(id).map(|t| &mut t.kind) {
            *k = key;
        }
        id.to_f64()
    }

    /// `clearTimeout`: the timer is done, as if it had fired for the last time.
    pub fn clear_timer(&mut self, id: f64) {
        if id < 0.0 {
            let seq = (-id) as u64;
            self.timers.retain(|key, _| key.1 != seq);
            return;
        }
        let Some(id) = TaskId::from_f64(id) else { return };
        if let Some(Kind::Timer { key, .. }) = self.tasks.get(id).map(|t| &t.kind) {
            let key = *key;
            self.timers.remove(key);
            self.finish_task(id);
        }
    }

    // ----- waiting ----------------------------------------------------------------------

    /// A token for the running fiber's next `park`: `unpark` with it wakes that wait only.
    pub fn park_token(&mut self) -> u64 {
        self.park_seq += 1;
        self.pending_token = Some(self.park_seq);
        self.park_seq
    }

    /// Wakes the fiber parked with `token`, if it still is; says whether it was. An unpark
    /// for the running fiber's own token, before it parks, is kept for that park.
    pub fn unpark(&mut self, token: u64, resume: Resume) -> bool {
        match self.parked.get(&token).copied() {
            Some(id) => {
                self.wake(id, resume);
                true
            }
            None if self.pending_token == Some(token) => {
                self.early.insert(token, resume);
                true
            }
            None => false,
        }
    }

    /// Registers the running fiber as waiting for `target` to be done.
    pub fn add_joiner(&mut self, target: TaskId) -> Result<(), &'static str> {
        let me = self.current.ok_or("join() needs a fiber")?;
        if self.is_ancestor(target, me) {
            return Err("a fiber cannot join itself or a fiber it runs inside (it would wait forever)");
        }
        match self.tasks.fiber_mut(target) {
            Some(fiber) => fiber.joiners.push(me),
            None => return Err("no such fiber"),
        }
        Ok(())
    }

    /// Sets the wake-up of the fiber that just parked in `sleep`. Done on the scheduler's
    /// stack, not the fiber's: the timer queue's insertion is the deepest part of a sleep, and a
    /// fiber's memory is the stack pages it ever touched.
    fn arm_sleep(&mut self, id: TaskId, duration: Duration) {
        let key = self.timers.add(Instant::now() + duration, Fire::Wake(id));
        if let Some(fiber) = self.tasks.fiber_mut(id).filter(|f| f.wait == Wait::Sleep(None)) {
            fiber.wait = Wait::Sleep(Some(key));
        }
    }

    /// Makes a parked fiber ready, delivering `resume`; takes back what it was waiting for.
    fn wake(&mut self, id: TaskId, resume: Resume) {
        let Some(fiber) = self.tasks.fiber_mut(id) else { return };
        let wait = fiber.wait;
        match wait {
            Wait::Running | Wait::Ready => return,
            Wait::Park(token) => {
                self.parked.remove(&token);
            }
            Wait::Sleep(key) => {
                if let Some(key) = key {
                    self.timers.remove(key);
                }
            }
            Wait::Join(target) => {
                if let Some(t) = self.tasks.fiber_mut(target) {
                    t.joiners.retain(|j| *j != id);
                }
            }
            Wait::Yield | Wait::Children(_) | Wait::Idle | Wait::Io(_) | Wait::Handler(_) | Wait::Drain => {}
        }
        let fiber = self.tasks.fiber_mut(id).expect("checked above");
        fiber.resume = resume;
        if wait != Wait::Yield {
            fiber.wait = Wait::Ready;
            self.ready.push_back(id);
        }
    }

    // ----- cancellation -----------------------------------------------------------------

    /// Cancels `id` and every task below it, including tasks they make later. A fiber
    /// waiting (and not shielded) is woken at once to throw `Cancelled`; a pending timer is
    /// dropped.
    pub fn cancel(&mut self, id: TaskId) {
        let mut todo = vec![id];
        let mut timers = Vec::new();
        while let Some(t) = todo.pop() {
            let Some(task) = self.tasks.get_mut(t) else { continue };
            if task.cancelled && t != id {
                continue; // its subtree was cancelled already
            }
            task.cancelled = true;
            todo.extend(task.children.iter().copied());
            match &task.kind {
                Kind::Fiber(fiber) if fiber.scopes.is_empty() => self.interrupt(t),
                Kind::Fiber(_) => {}
                Kind::Scope { fiber, .. } => {
                    let fiber = *fiber;
                    if self.tasks.fiber(fiber).and_then(|f| f.scopes.last()) == Some(&t) {
                        self.interrupt(fiber);
                    }
                }
                Kind::Timer { .. } => timers.push(t),
            }
        }
        for t in timers {
            self.clear_timer(t.to_f64());
        }
    }

    /// Wakes the fiber `id` with `Cancelled` if it is in a wait cancellation interrupts. An
    /// operation in flight is cancelled in the kernel instead, and the fiber stays parked until
    /// its completion arrives.
    fn interrupt(&mut self, id: TaskId) {
        let Some(fiber) = self.tasks.fiber(id) else { return };
        if fiber.shield > 0 {
            return;
        }
        match fiber.wait {
            Wait::Sleep(_) | Wait::Join(_) | Wait::Park(_) | Wait::Yield => self.wake(id, Resume::Cancelled),
            Wait::Io(op) => self.ring.cancel(op),
            Wait::Handler(handler) => self.cancel_handler(handler),
            _ => {}
        }
    }

    /// Cancels the whole program (its runtime is being torn down); false if it has no root.
    pub fn cancel_root(&mut self) -> bool {
        let Some(root) = self.root.filter(|root| self.exists(*root)) else { return false };
        self.cancel(root);
        true
    }

    /// An error no JS caller can receive (a callback nobody awaits, an unhandled rejection):
    /// the root fails with it, and so the program ends, after its fibers have unwound.
    pub fn fail_root(&mut self, error: Saved, rejection: bool) {
        let Some(root) = self.root else { return };
        if let Some(task) = self.tasks.get_mut(root) {
            if task.failures.is_empty() {
                self.root_rejection = rejection;
            }
            task.failures.push(error);
            self.cancel(root);
        }
    }

    // ----- completion -------------------------------------------------------------------

    /// The running fiber's function has ended; it is done once its children are.
    fn function_ended(&mut self, id: TaskId, outcome: Outcome) {
        let threw = matches!(outcome, Outcome::Threw(_));
        let Some(fiber) = self.tasks.fiber_mut(id) else { return };
        fiber.ended = Some(outcome);
        // Scopes still open were unwound by an uncatchable error (a time limit's interrupt):
        // their fibers and failures pass to the scope's parent.
        while let Some(scope) = self.tasks.fiber_mut(id).and_then(|f| f.scopes.pop()) {
            self.dissolve_scope(scope);
        }
        // A failed function's fibers are cancelled, so that its error is not held back behind
        // a child that would run for ever (an accept loop).
        if threw {
            let children = self.tasks.get(id).map(|t| t.children.clone()).unwrap_or_default();
            for child in children {
                self.cancel(child);
            }
        }
        self.maybe_complete(id);
    }

    fn dissolve_scope(&mut self, scope: TaskId) {
        let Some(task) = self.tasks.remove(scope) else { return };
        if let Kind::Scope { timer: Some(key), .. } = task.kind {
            self.timers.remove(key);
        }
        if let Some(parent) = task.parent.and_then(|p| self.tasks.get_mut(p)) {
            parent.failures.extend(task.failures);
        }
        self.detach(task.parent, task.slot);
        for child in task.children {
            let slot = task.parent.and_then(|p| self.tasks.get_mut(p)).map(|p| {
                p.children.push(child);
                p.children.len() - 1
            });
            if let Some(child) = self.tasks.get_mut(child) {
                child.parent = task.parent;
                child.slot = slot.unwrap_or(0);
            }
        }
    }

    /// Completes `id` if it is a fiber whose function ended and whose children are done.
    fn maybe_complete(&mut self, id: TaskId) {
        let Some(task) = self.tasks.get(id) else { return };
        let Some(fiber) = task.fiber() else { return };
        // The only child that does not count is the idle job runner (there is at most one).
        let waiting_for_children = match task.children.as_slice() {
            [] => false,
            [only] => !self.is_idle_runner(*only),
            _ => true,
        };
        if fiber.ended.is_some() && !waiting_for_children {
            self.complete_fiber(id);
        }
    }

    fn is_idle_runner(&self, id: TaskId) -> bool {
        self.tasks.fiber(id).is_some_and(|f| f.runner && f.wait == Wait::Idle)
    }

    fn complete_fiber(&mut self, id: TaskId) {
        let Some(task) = self.tasks.remove(id) else { return };
        // Idle job runners (children of the root) outlive it, to be wound down (`shutdown`).
        for child in &task.children {
            if let Some(runner) = self.tasks.get_mut(*child) {
                runner.parent = None;
            }
        }
        let Kind::Fiber(mut fiber) = task.kind else { return };
        let own = fiber.ended.take().unwrap_or(Outcome::Cancelled);
        let mut errors = Vec::new();
        if let Outcome::Threw(error) = &own {
            errors.push(error.clone());
        }
        errors.extend(task.failures);
        let settled = match own {
            _ if !errors.is_empty() => Settled::Failed(errors.clone()),
            Outcome::Returned(value) => Settled::Returned(value),
            Outcome::Threw(_) | Outcome::Cancelled => Settled::Cancelled,
        };
        if Some(id) == self.root {
            self.root_end = Some(match &settled {
                Settled::Returned(value) => RootEnd::Returned(value.clone()),
                Settled::Failed(errors) => RootEnd::Failed(errors.clone(), self.root_rejection),
                Settled::Cancelled => RootEnd::Cancelled,
            });
        }
        let joined = !fiber.joiners.is_empty();
        for joiner in std::mem::take(&mut fiber.joiners) {
            self.wake(joiner, Resume::Normal);
        }
        if let Some(handle) = fiber.handle.take() {
            self.effects.push(Effect { record: handle.record, settled, cancelled: task.cancelled });
        }
        // A failure goes to whoever waits in join(); else up the tree (rule 7).
        if let (false, false, Some(parent)) = (errors.is_empty(), joined, task.parent) {
            if let Some(p) = self.tasks.get_mut(parent) {
                p.failures.extend(errors);
                self.cancel(parent);
            }
        }
        self.detach(task.parent, task.slot);
    }

    /// A task that was at `slot` among `parent`'s children is done: it leaves, and the parent
    /// may be done now in turn.
    fn detach(&mut self, parent: Option<TaskId>, slot: usize) {
        let Some(parent) = parent else { return };
        let Some(task) = self.tasks.get_mut(parent) else { return };
        if slot < task.children.len() {
            task.children.swap_remove(slot);
            if let Some(&moved) = task.children.get(slot) {
                if let Some(moved) = self.tasks.get_mut(moved) {
                    moved.slot = slot;
                }
            }
        }
        let Some(task) = self.tasks.get(parent) else { return };
        match &task.kind {
            Kind::Fiber(_) => self.maybe_complete(parent),
            Kind::Scope { fiber, .. } => {
                let (fiber, busy) = (*fiber, !task.children.is_empty());
                if !busy && self.tasks.fiber(fiber).is_some_and(|f| f.wait == Wait::Children(parent)) {
                    self.wake(fiber, Resume::Normal);
                }
            }
            Kind::Timer { .. } => {}
        }
    }

    /// A task with no function of its own (a timer) is done.
    fn finish_task(&mut self, id: TaskId) {
        if let Some(task) = self.tasks.remove(id) {
            self.detach(task.parent, task.slot);
        }
    }

    // ----- the turn ---------------------------------------------------------------------

    /// Whether anything outside the program can still wake a fiber: an operation in flight, a
    /// signal waited for, or a timer.
    fn can_be_woken(&self) -> bool {
        self.ring.has_live() || self.holds > 0 || self.timers.next_deadline().is_some()
    }

    /// Submits and reaps without blocking (`wait`: blocks until a completion, the next timer
    /// or `until`), and delivers what completed: a fiber's operation wakes it, a handler's
    /// goes to the handler.
    fn enter_ring(&mut self, wait: Option<Option<Instant>>) -> Result<(), RingError> {
        let mut completed = std::mem::take(&mut self.completed);
        let entered = match wait {
            Some(until) => {
                let deadline = match (self.timers.next_deadline(), until) {
                    (Some(timer), Some(until)) => Some(timer.min(until)),
                    (timer, until) => timer.or(until),
                };
                self.ring.wait(deadline, &mut completed)
            }
            None => self.ring.poll(&mut completed),
        };
        for (token, op) in completed.drain(..) {
            match wait::owner(token) {
                wait::Owner::Fiber(id) => {
                    if self.tasks.fiber(id).is_some_and(|f| f.wait == Wait::Io(op)) {
                        self.wake(id, Resume::Normal);
                    }
                }
                wait::Owner::Handler(handler) => self.handler_completed(handler, op),
            }
        }
        self.completed = completed;
        if self.ring.rang() {
            self.doorbell_rang();
        }
        entered
    }

    /// Fires every timer due now: wakes sleepers, starts timer callbacks on fibers of their
    /// own (children of where the timer was set), and cancels timed-out scopes.
    fn fire_timers(&mut self) {
        if self.timers.is_empty() {
            return;
        }
        let now = Instant::now();
        while let Some(fire) = self.timers.pop_due(now) {
            match fire {
                Fire::Wake(id) => self.wake(id, Resume::Normal),
                Fire::Daemon(callback) => {
                    let root = self.root;
                    self.spawn_under(root, callback, None);
                }
                Fire::Timer(id) => self.fire_timer(id, now),
                Fire::Timeout(scope) => {
                    if let Some(Kind::Scope { timed_out, timer, .. }) = self.tasks.get_mut(scope).map(|t| &mut t.kind) {
                        *timed_out = true;
                        *timer = None;
                        self.cancel(scope);
                    }
                }
            }
        }
    }

    fn fire_timer(&mut self, id: TaskId, now: Instant) {
        let Some(task) = self.tasks.get_mut(id) else { return };
        let parent = task.parent;
        let Kind::Timer { interval, key, .. } = &mut task.kind else { return };
        *key = match *interval {
            Some(every) => self.timers.add(now + every, Fire::Timer(id)),
            None => (now, 0), // fired: no queue entry left
        };
        let fiber = self.add_task(parent, Kind::Fiber(Box::new(FiberState::new(Entry::Timer(id)))));
        self.ready.push_back(fiber);
    }

    /// The callback of timer `id` for the fiber starting to run it, or `None` if the timer was
    /// cleared meanwhile. A one-shot timer is done now: the fiber takes its place.
    fn take_timer_callback(&mut self, id: TaskId) -> Option<Persistent<Function<'static>>> {
        let Kind::Timer { callback, interval, .. } = &self.tasks.get(id)?.kind else { return None };
        let callback = callback.clone();
        if interval.is_none() {
            self.finish_task(id);
        }
        Some(callback)
    }

    /// Drops every task, timer and handler; the engine must not be torn down while they hold
    /// values. What is still in flight stays with the ring, which lets go of it when the kernel
    /// has.
    pub fn release(&mut self) {
        self.timers.clear();
        self.effects.clear();
        self.handlers.clear();
        self.doorbell = None;
        self.rejections.clear();
        self.thrown.clear();
        self.hooks = Hooks::default();
        self.main = None;
        self.main_promise = None;
        self.root_end = None;
        if let Some(stack) = self.runner_stack.take() {
            self.pool.give(stack, std::ptr::null());
        }
        for mut task in self.tasks.drain().collect::<Vec<_>>() {
            let Some(fiber) = task.fiber_mut() else { continue };
            // A fiber still suspended keeps its stack: what its frames hold is never dropped
            // (a leak at worst), and its stack is not reused under them.
            if let Some((stack, lowest)) = fiber.context.take().and_then(|c| c.take_stack()) {
                self.pool.give(stack, lowest);
            }
        }
    }

    /// The ring, to tear down once the scheduler is done (after `release`).
    pub fn into_ring(self) -> Ring {
        self.ring
    }
}
