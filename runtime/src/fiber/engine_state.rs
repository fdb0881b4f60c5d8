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

use rquickjs::qjs;

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
    pub unsafe fn save(rt: *mut qjs::JSRuntime) -> EngineState {
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
    pub unsafe fn load(&self, rt: *mut qjs::JSRuntime) {
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

/// How many bytes of stack are left above the engine's overflow limit, here.
///
/// # Safety
/// `rt` must be a live runtime whose state describes the running fiber (it always does while
/// JS or an op runs).
pub unsafe fn stack_left(rt: *mut qjs::JSRuntime) -> usize {
    // SAFETY: as the caller guarantees; the offset names the limit field.
    let limit = unsafe { rt.cast::<u8>().add(offsets::STACK_LIMIT).cast::<usize>().read() };
    (stack_pointer() as usize).saturating_sub(limit)
}

/// The address of a local: where this stack is now.
#[inline(always)]
pub fn stack_pointer() -> *const u8 {
    let here = 0u8;
    ptr::addr_of!(here)
}

/// Confirms, against the running engine, that the offsets describe it: the stack fields
/// bracket the current stack as `JS_SetMaxStackSize` sets them. Call on the thread's own stack
/// with the runtime idle. The frame chain is checked by [`check_frame`] from inside a call.
///
/// # Safety
/// `rt` must be a live runtime used by this thread only.
pub unsafe fn check(rt: *mut qjs::JSRuntime) -> Result<(), String> {
    let probe: usize = 3 * 1024 * 1024 + 4096;
    // SAFETY: the runtime is live and ours; the size is restored below.
    unsafe {
        qjs::JS_UpdateStackTop(rt);
        qjs::JS_SetMaxStackSize(rt, probe as _);
        let state = EngineState::save(rt);
        let size = rt.cast::<u8>().add(offsets::STACK_SIZE).cast::<usize>().read();
        let here = stack_pointer() as usize;
        // The engine read its stack pointer a few frames from here.
        let top_ok = state.stack_top.abs_diff(here) < 64 * 1024;
        if size != probe || !top_ok || state.stack_limit != state.stack_top - probe {
            return Err(format!(
                "stack fields: size {size} top {:#x} limit {:#x}, stack pointer {here:#x}",
                state.stack_top, state.stack_limit
            ));
        }
        qjs::JS_SetMaxStackSize(rt, 0);
        qjs::JS_UpdateStackTop(rt);
    }
    Ok(())
}

/// From inside a native function called by JS: the frame chain must point at the caller's
/// frame, which lies on this stack just above the native call.
///
/// # Safety
/// As [`check`], called while a JS frame of this thread is active.
pub unsafe fn check_frame(rt: *mut qjs::JSRuntime) -> Result<(), String> {
    // SAFETY: as in `save`.
    let frame = unsafe { EngineState::save(rt) }.stack_frame as usize;
    let here = stack_pointer() as usize;
    if frame > here && frame - here < 64 * 1024 {
        Ok(())
    } else {
        Err(format!("current_stack_frame {frame:#x} is not just above the stack pointer {here:#x}"))
    }
}
