//! Running code on a stack of its own: the safe face of [`switch`](super::switch). A
//! [`Context`] is a fiber's stack, where it stopped, and its share of the engine's per-stack
//! state; [`Context::resume`] runs it from the thread's own stack until it suspends or its entry
//! returns, and [`Context::suspend`], called on the fiber, goes back. The checks here (a context
//! runs only from the thread's stack, suspends only itself) are what make switching safe to
//! call from the scheduler.

use std::{
    cell::Cell,
    ptr::{self, NonNull},
    rc::Rc,
};

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

/// The thread's side of every switch: the engine the fibers run in, and the thread stack's
/// pointer and engine state while a fiber runs.
struct Thread {
    engine: Option<Engine>,
    idle: Option<EngineState>,
    sp: *mut u8,
    saved: Option<EngineState>,
    running: *const Context,
}

thread_local! {
    static THREAD: Cell<Option<Box<Thread>>> = const { Cell::new(None) };
}

fn with_thread<R>(f: impl FnOnce(&mut Thread) -> R) -> R {
    let mut thread = THREAD.take().expect("fiber::init before running fibers");
    let result = f(&mut thread);
    THREAD.set(Some(thread));
    result
}

/// Makes this thread run fibers in `engine`, which must be idle now: its state with nothing
/// running is what each new fiber starts from.
pub fn init(engine: &Engine) {
    // SAFETY: the engine's runtime is live (the handle keeps it) and idle, on this thread.
    let idle = unsafe { EngineState::save(engine.runtime()) };
    let thread = Thread {
        engine: Some(engine.clone()),
        idle: Some(idle),
        sp: ptr::null_mut(),
        saved: None,
        running: ptr::null(),
    };
    THREAD.set(Some(Box::new(thread)));
}

/// This thread runs no fibers any more (its runtime is going): the engine handle it held, to
/// drop before the engine (or to forget with it).
pub fn release() -> Option<Engine> {
    THREAD.take().and_then(|thread| thread.engine)
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

    pub fn state(&self) -> State {
        self.state.get()
    }

    /// Runs the fiber until it suspends or its entry returns. Only from the thread's own stack
    /// (never from a fiber), and only a fiber that is not running or done.
    pub fn resume(self: &Rc<Self>) -> State {
        assert!(
            matches!(self.state.get(), State::Fresh | State::Suspended),
            "resume of a {:?} fiber",
            self.state.get()
        );
        let (save_sp, to) = with_thread(|thread| {
            assert!(thread.running.is_null(), "a fiber resumed from another fiber");
            let rt = thread.engine.as_ref().expect("initialised").runtime();
            if self.state.get() == State::Fresh {
                let stack = self.stack.take().expect("a fresh fiber has its stack");
                let this = Rc::as_ptr(self).cast_mut().cast::<u8>();
                // SAFETY: a stack from the pool, not in use; the trampoline's argument is this
                // context, which the `Rc` above keeps alive while it runs.
                self.sp.set(unsafe { prepare(stack.top(), entry, this) });
                let idle = thread.idle.as_ref().expect("initialised");
                self.engine.set(Some(EngineState::fresh(idle, stack.bottom(), stack.top())));
                self.stack.set(Some(stack));
            }
            // SAFETY: the runtime is live and idle between these two calls, on this thread.
            unsafe {
                thread.saved = Some(EngineState::save(rt));
                self.engine.take().expect("a suspended fiber keeps its engine state").load(rt);
            }
            thread.running = Rc::as_ptr(self);
            self.state.set(State::Running);
            (&mut thread.sp as *mut *mut u8, self.sp.get())
        });
        // SAFETY: `to` is this fiber's prepared or saved stack pointer, on its stack, which it
        // owns; `save_sp` points into the thread's boxed state, which stays put (the box is only
        // taken out and put back around short borrows, never dropped while fibers run).
        unsafe { switch(save_sp, to) };
        // Back on the thread's stack: the fiber saved its engine state and loaded ours.
        with_thread(|thread| thread.running = ptr::null());
        self.state.get()
    }

    /// Goes back to whoever resumed this fiber; returns when it is resumed again. Only on the
    /// fiber itself.
    pub fn suspend(&self) {
        self.leave(State::Suspended);
    }

    fn leave(&self, state: State) {
        let (save_sp, to) = with_thread(|thread| {
            assert!(ptr::eq(thread.running, self), "a fiber can only suspend itself");
            let rt = thread.engine.as_ref().expect("initialised").runtime();
            self.lowest.set(self.lowest.get().min(stack_pointer()));
            // SAFETY: the runtime is ours; the thread's state was saved when this fiber was
            // resumed.
            unsafe {
                self.engine.set(Some(EngineState::save(rt)));
                thread.saved.take().expect("resumed from the thread").load(rt);
            }
            self.state.set(state);
            (self.sp.as_ptr(), thread.sp)
        });
        // SAFETY: `to` is the thread's saved stack pointer; `save_sp` points into this context,
        // which the resumer's `Rc` keeps alive. A done fiber's stack is never resumed.
        unsafe { switch(save_sp, to) };
    }

    /// The stack of a fiber that is done, and the deepest address it was seen using.
    pub fn take_stack(&self) -> Option<(Stack, *const u8)> {
        if self.state.get() != State::Done {
            return None;
        }
        self.stack.take().map(|stack| (stack, self.lowest.get()))
    }
}

/// The first code of every fiber, on its own stack: its entry, then back for good.
unsafe extern "sysv64" fn entry(arg: *mut u8) -> ! {
    // SAFETY: `arg` is the context `resume` passed, alive while it runs (see there).
    let context = unsafe { NonNull::new_unchecked(arg.cast::<Context>()).as_ref() };
    (context.entry)();
    context.leave(State::Done);
    unreachable!("a finished fiber was resumed")
}
