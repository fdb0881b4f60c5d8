//! Running code on a stack of its own: the safe face of [`switch`](super::switch). A
//! [`Context`] is a fiber's stack, where it stopped, and its share of the engine's per-stack
//! state; [`Context::resume`] runs it from the thread's own stack until it suspends or its entry
//! returns, and [`Context::suspend`], called on the fiber, goes back. The checks here (a context
//! runs only from the thread's stack, suspends only itself) are what make switching safe to
//! call from the scheduler.

use std::{
    cell::{Cell, RefCell},
    ptr::{self, NonNull},
    rc::Rc,
};

use rquickjs::qjs;

use super::{
    engine_state::{stack_pointer, EngineState},
    stack::Stack,
    switch::{prepare, switch},
};
use crate::js::engine::Engine;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    /// Made, never run.
    Fresh,
    Running,
    Suspended,
    /// Its entry returned; its stack can be taken back.
    Done,
}

pub struct Context {
    stack: Cell<Option<Stack>>,
    /// The stack pointer while suspended.
    sp: Cell<*mut u8>,
    engine: Cell<Option<EngineState>>,
    state: Cell<State>,
    /// The deepest address seen in use, so that a stack that went deep has its pages released.
    lowest: Cell<*const u8>,
    entry: fn(),
}

// The thread's side of every switch. Plain cells, read and written in place: a switch is the
// hottest path of the runtime, and its frames sit under every waiting fiber.
thread_local! {
    /// The engine the thread's fibers run in, kept alive while they may run.
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    /// Its runtime, for the engine state each switch saves and loads.
    static RUNTIME: Cell<*mut qjs::JSRuntime> = const { Cell::new(ptr::null_mut()) };
    /// The runtime's state with nothing running: what each new fiber starts from.
    static IDLE: Cell<Option<EngineState>> = const { Cell::new(None) };
    /// The thread stack's pointer and engine state while a fiber runs.
    static THREAD_SP: Cell<*mut u8> = const { Cell::new(ptr::null_mut()) };
    static THREAD_ENGINE: Cell<Option<EngineState>> = const { Cell::new(None) };
    /// The fiber running now, if any.
    static RUNNING: Cell<*const Context> = const { Cell::new(ptr::null()) };
}

/// Makes this thread run fibers in `engine`, which must be idle now: its state with nothing
/// running is what each new fiber starts from.
pub fn init(engine: &Engine) {
    let rt = engine.runtime();
    // SAFETY: the engine's runtime is live (the handle keeps it) and idle, on this thread.
    IDLE.set(Some(unsafe { EngineState::save(rt) }));
    RUNTIME.set(rt);
    ENGINE.replace(Some(engine.clone()));
}

/// This thread runs no fibers any more (its runtime is going): the engine handle it held, to
/// drop before the engine (or to forget with it).
pub fn release() -> Option<Engine> {
    RUNTIME.set(ptr::null_mut());
    IDLE.set(None);
    ENGINE.take()
}

impl Context {
    /// A fiber that will run `entry` on `stack` when first resumed.
    pub fn new(stack: Stack, entry: fn()) -> Rc<Context> {
        let lowest = stack.top() as *const u8;
        Rc::new(Context {
            stack: Cell::new(Some(stack)),
            sp: Cell::new(ptr::null_mut()),
            engine: Cell::new(None),
            state: Cell::new(State::Fresh),
            lowest: Cell::new(lowest),
            entry,
        })
    }

    /// Runs the fiber until it suspends or its entry returns. Only from the thread's own stack
    /// (never from a fiber), after [`init`], and only a fiber that is not running or done.
    pub fn resume(self: &Rc<Self>) -> State {
        let rt = RUNTIME.get();
        let state = self.state.get();
        if !matches!(state, State::Fresh | State::Suspended) || !RUNNING.get().is_null() || rt.is_null() {
            misuse("resume", state);
        }
        if state == State::Fresh {
            self.prepare();
        }
        // SAFETY: the runtime is live and idle between these two calls, on this thread; the
        // fiber's state was saved from it (or made fresh for it).
        unsafe {
            THREAD_ENGINE.set(Some(EngineState::save(rt)));
            if let Some(engine) = self.engine.take() {
                engine.load(rt);
            }
        }
        RUNNING.set(Rc::as_ptr(self));
        self.state.set(State::Running);
        // SAFETY: the target is this fiber's prepared or saved stack pointer, on its stack,
        // which it owns; the thread's stack pointer is saved in this thread's thread-local,
        // which lives as long as the thread.
        unsafe { switch(THREAD_SP.with(Cell::as_ptr), self.sp.get()) };
        // Back on the thread's stack: the fiber saved its engine state and loaded ours.
        RUNNING.set(ptr::null());
        self.state.get()
    }

    /// Lays out a fresh fiber's stack for its first switch, and its engine state.
    #[inline(never)]
    fn prepare(self: &Rc<Self>) {
        let stack = self.stack.take().expect("a fresh fiber has its stack");
        let this = Rc::as_ptr(self).cast_mut().cast::<u8>();
        // SAFETY: a stack from the pool, not in use; the trampoline's argument is this context,
        // which the caller's `Rc` keeps alive while it runs.
        self.sp.set(unsafe { prepare(stack.top(), entry, this) });
        let idle = IDLE.get().expect("initialised");
        self.engine.set(Some(EngineState::fresh(&idle, stack.bottom(), stack.top())));
        self.stack.set(Some(stack));
    }

    /// Goes back to whoever resumed this fiber; returns when it is resumed again. Only on the
    /// fiber itself.
    #[inline(always)]
    pub fn suspend(&self) {
        self.leave(State::Suspended);
    }

    #[inline(always)]
    fn leave(&self, state: State) {
        if !ptr::eq(RUNNING.get(), self) {
            misuse("suspend", self.state.get());
        }
        let rt = RUNTIME.get();
        self.lowest.set(self.lowest.get().min(stack_pointer()));
        // SAFETY: the runtime is ours; the thread's state was saved when this fiber was resumed.
        unsafe {
            self.engine.set(Some(EngineState::save(rt)));
            if let Some(engine) = THREAD_ENGINE.take() {
                engine.load(rt);
            }
        }
        self.state.set(state);
        // SAFETY: the target is the thread's saved stack pointer; the save slot is in this
        // context, which the resumer's `Rc` keeps alive. A done fiber's stack is never resumed.
        unsafe { switch(self.sp.as_ptr(), THREAD_SP.get()) };
    }

    /// The stack of a fiber that is done or never ran, and the deepest address it was seen
    /// using.
    pub fn take_stack(&self) -> Option<(Stack, *const u8)> {
        if !matches!(self.state.get(), State::Done | State::Fresh) {
            return None;
        }
        self.stack.take().map(|stack| (stack, self.lowest.get()))
    }
}

/// A switch asked for where it cannot be done: a bug in the runtime, stopped before it
/// corrupts a stack. Out of line, so that the switch's frames stay small.
#[cold]
#[inline(never)]
fn misuse(what: &str, state: State) -> ! {
    panic!("{what} of a {state:?} fiber (from another fiber, before init, or of itself)")
}

/// The first code of every fiber, on its own stack: its entry, then back for good. Its frame
/// sits under every frame of the fiber: kept to the argument.
unsafe extern "sysv64" fn entry(arg: *mut u8) -> ! {
    // SAFETY: `arg` is the context `resume` passed, alive while it runs (see there).
    let context = unsafe { NonNull::new_unchecked(arg.cast::<Context>()).as_ref() };
    (context.entry)();
    context.finish()
}

impl Context {
    /// The fiber's entry returned: back to the thread's stack, never to come back.
    #[inline(never)]
    fn finish(&self) -> ! {
        self.leave(State::Done);
        unreachable!("a finished fiber was resumed")
    }
}
