//! The engine state each fiber owns.
//!
//! quickjs-ng keeps per-runtime state that assumes one C stack: the chain of active frames
//! (`current_stack_frame`), the stack bounds its overflow check uses (`stack_top`,
//! `stack_limit`), the pending exception, the promise being built by `then`
//! (`parent_promise`) and whether a backtrace is being built. Each fiber saves the runtime's
//! values when it leaves and loads its own when it arrives. Without this, `new Error().stack`
//! shows other fibers' frames, a stack trace can walk a finished fiber's dead frames, and the
//! overflow check compares against the wrong stack.
//!
//! `JSRuntime` is private to quickjs.c; build.rs reads the fields' offsets from the very
//! source rquickjs-sys compiles (runtime/build/engine_layout.c), and [`check`] confirms them
//! against the running engine at start-up.

use std::ptr;

use rquickjs::{qjs, Ctx};

mod offsets {
    include!(concat!(env!("OUT_DIR"), "/engine_layout.rs"));
}

/// Room left below the overflow limit for native code (quickjs's own C frames, ops) between
/// its checks; 16 KiB was enough for everything seen in the prototype.
pub const MARGIN: usize = 32 * 1024;

/// One fiber's copy of the stack-dependent runtime fields.
#[derive(Clone, Copy)]
pub struct EngineState {
    stack_frame: *mut u8,
    stack_top: usize,
    stack_limit: usize,
    parent_promise: *mut u8,
    exception: [u8; 16],
    in_build_stack_trace: bool,
}

impl EngineState {
    /// The state of a fiber about to start on the stack `[bottom, top)`: no frames, no
    /// exception, an overflow limit `MARGIN` above the bottom. `idle` is the runtime's state
    /// with nothing running, whose exception slot holds "no exception".
    pub fn fresh(idle: &EngineState, bottom: *mut u8, top: *mut u8) -> EngineState {
        EngineState {
            stack_frame: ptr::null_mut(),
            stack_top: top as usize,
            stack_limit: bottom as usize + MARGIN,
            parent_promise: ptr::null_mut(),
            exception: idle.exception,
            in_build_stack_trace: false,
        }
    }

    /// Reads the state out of the runtime.
    ///
    /// # Safety
    /// `rt` must be a live runtime and no other thread may use it.
    #[inline(always)]
    pub(super) unsafe fn save(rt: *mut qjs::JSRuntime) -> EngineState {
        let base = rt.cast::<u8>();
        // SAFETY: the offsets lie within JSRuntime (checked against its size at build time)
        // and name fields of the read types.
        unsafe {
            EngineState {
                stack_frame: base.add(offsets::CURRENT_STACK_FRAME).cast::<*mut u8>().read(),
                stack_top: base.add(offsets::STACK_TOP).cast::<usize>().read(),
                stack_limit: base.add(offsets::STACK_LIMIT).cast::<usize>().read(),
                parent_promise: base.add(offsets::PARENT_PROMISE).cast::<*mut u8>().read(),
                exception: base.add(offsets::CURRENT_EXCEPTION).cast::<[u8; 16]>().read_unaligned(),
                in_build_stack_trace: base.add(offsets::IN_BUILD_STACK_TRACE).cast::<bool>().read(),
            }
        }
    }

    /// Writes the state into the runtime.
    ///
    /// # Safety
    /// As [`EngineState::save`]; the state must be one saved from, or made fresh for, this
    /// runtime.
    #[inline(always)]
    pub(super) unsafe fn load(&self, rt: *mut qjs::JSRuntime) {
        let base = rt.cast::<u8>();
        // SAFETY: as in `save`.
        unsafe {
            base.add(offsets::CURRENT_STACK_FRAME).cast::<*mut u8>().write(self.stack_frame);
            base.add(offsets::STACK_TOP).cast::<usize>().write(self.stack_top);
            base.add(offsets::STACK_LIMIT).cast::<usize>().write(self.stack_limit);
            base.add(offsets::PARENT_PROMISE).cast::<*mut u8>().write(self.parent_promise);
            base.add(offsets::CURRENT_EXCEPTION).cast::<[u8; 16]>().write_unaligned(self.exception);
            base.add(offsets::IN_BUILD_STACK_TRACE).cast::<bool>().write(self.in_build_stack_trace);
        }
    }
}

/// How many bytes of stack are left above the engine's overflow limit, here: while JS or an op
/// runs, the runtime's stack fields describe the running fiber's stack.
pub fn stack_left(ctx: &Ctx<'_>) -> usize {
    // SAFETY: a live context's runtime; the offset names the limit field (checked at start-up).
    let limit = unsafe {
        let rt = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
        rt.cast::<u8>().add(offsets::STACK_LIMIT).cast::<usize>().read()
    };
    (stack_pointer() as usize).saturating_sub(limit)
}

/// Where this stack is now: the stack pointer itself (the address of a local would do, but
/// AddressSanitizer moves locals to a heap of its own).
#[inline(always)]
pub fn stack_pointer() -> *const u8 {
    let sp: *const u8;
    // SAFETY: only reads the stack pointer register.
    unsafe { std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// Confirms, against the running engine, that the offsets describe it: the stack fields
/// bracket the current stack as `JS_SetMaxStackSize` sets them, and from a native function
/// called by JS the frame chain points at the calling frame, just above on this stack. Call on
/// the thread's own stack with the runtime idle, before any fiber runs.
pub fn verify(ctx: &Ctx<'_>) -> Result<(), String> {
    // SAFETY: a live context's runtime, idle and used by this thread only; the size is
    // restored below.
    unsafe {
        let rt = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
        let probe: usize = 3 * 1024 * 1024 + 4096;
        qjs::JS_UpdateStackTop(rt);
        qjs::JS_SetMaxStackSize(rt, probe as _);
        let state = EngineState::save(rt);
        let size = rt.cast::<u8>().add(offsets::STACK_SIZE).cast::<usize>().read();
        let here = stack_pointer() as usize;
        qjs::JS_SetMaxStackSize(rt, 0);
        qjs::JS_UpdateStackTop(rt);
        // The engine read its stack pointer a few frames from here.
        let top_ok = state.stack_top.abs_diff(here) < 64 * 1024;
        if size != probe || !top_ok || state.stack_limit != state.stack_top - probe {
            return Err(format!(
                "stack fields: size {size} top {:#x} limit {:#x}, stack pointer {here:#x}",
                state.stack_top, state.stack_limit
            ));
        }
    }
    let probe = rquickjs::Function::new(ctx.clone(), |ctx: Ctx<'_>| frame_problem(&ctx).unwrap_or_default());
    let caller = ctx.eval::<rquickjs::Function, _>("(probe) => probe()");
    match (probe, caller) {
        (Ok(probe), Ok(caller)) => match caller.call::<_, String>((probe,)) {
            Ok(problem) if problem.is_empty() => Ok(()),
            Ok(problem) => Err(problem),
            Err(e) => Err(e.to_string()),
        },
        _ => Err("cannot call into the engine".into()),
    }
}

/// From inside a native function called by JS: what is wrong with the frame chain, if anything.
fn frame_problem(ctx: &Ctx<'_>) -> Option<String> {
    // SAFETY: a live context's runtime, read while its JS frame calls us.
    let frame = unsafe { EngineState::save(qjs::JS_GetRuntime(ctx.as_raw().as_ptr())) }.stack_frame as usize;
    let here = stack_pointer() as usize;
    (frame <= here || frame - here >= 64 * 1024)
        .then(|| format!("current_stack_frame {frame:#x} is not just above the stack pointer {here:#x}"))
}
