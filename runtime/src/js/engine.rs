//! The engine as the scheduler drives it: a handle on one runtime's context that keeps it
//! alive, its promise jobs, and the few calls the scheduler makes without rquickjs's glue
//! (their frames sit under every fiber).

use std::ptr::NonNull;

use rquickjs::{qjs, Ctx, Function, Object, Value};

/// A counted reference to a context (and so to its runtime), for code that must reach the
/// engine without a `Ctx` at hand: a fiber's first frame, the scheduler's loop.
pub struct Engine {
    ctx: NonNull<qjs::JSContext>,
    /// The context's runtime, asked for on every turn.
    rt: *mut qjs::JSRuntime,
}

impl Engine {
    /// A reference to the context of `ctx`.
    pub fn of(ctx: &Ctx<'_>) -> Engine {
        // SAFETY: a live context; the new reference is released in `drop`.
        let raw = unsafe { qjs::JS_DupContext(ctx.as_raw().as_ptr()) };
        // SAFETY: a live context's runtime.
        let rt = unsafe { qjs::JS_GetRuntime(raw) };
        Engine { ctx: NonNull::new(raw).expect("a live context is not null"), rt }
    }

    /// The context, to call into the engine.
    pub fn ctx(&self) -> Ctx<'_> {
        // SAFETY: this handle keeps the context alive; `Ctx` takes a reference of its own.
        unsafe { Ctx::from_raw(self.ctx) }
    }

    /// The runtime, for the engine state each fiber owns (`fiber::engine_state`).
    pub fn runtime(&self) -> *mut qjs::JSRuntime {
        self.rt
    }

    /// Whether promise jobs are waiting.
    pub fn jobs_pending(&self) -> bool {
        // SAFETY: a live runtime of this thread.
        unsafe { qjs::JS_IsJobPending(self.runtime()) }
    }

    /// Runs one promise job.
    pub fn run_job(&self) -> Job {
        let mut job_ctx = std::ptr::null_mut();
        // SAFETY: a live runtime; the engine reports the context the job ran in, which is ours.
        match unsafe { qjs::JS_ExecutePendingJob(self.runtime(), &mut job_ctx) } {
            0 => Job::None,
            ran if ran < 0 => Job::Threw,
            _ => Job::Ran,
        }
    }
}

impl Clone for Engine {
    fn clone(&self) -> Engine {
        // SAFETY: a live context (this handle keeps it); the new reference is the clone's.
        let raw = unsafe { qjs::JS_DupContext(self.ctx.as_ptr()) };
        Engine { ctx: NonNull::new(raw).expect("a live context is not null"), rt: self.rt }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: the reference taken in `of`.
        unsafe { qjs::JS_FreeContext(self.ctx.as_ptr()) }
    }
}

/// What [`Engine::run_job`] did.
pub enum Job {
    None,
    Ran,
    /// The job threw; the exception is pending.
    Threw,
}

/// Calls `function` with no arguments and `undefined` as `this`: its result, or what it threw.
/// Straight through the engine: this frame sits under every frame of a fiber.
#[inline(always)]
pub fn call<'js>(ctx: &Ctx<'js>, function: &Function<'js>) -> Result<Value<'js>, Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a live function of this context, called with no arguments; the result's
    // reference is handed to `Value`.
    let result = unsafe {
        Value::from_raw(ctx.clone(), qjs::JS_Call(raw, function.as_raw(), qjs::JS_UNDEFINED, 0, std::ptr::null_mut()))
    };
    if result.is_exception() {
        Err(caught(ctx))
    } else {
        Ok(result)
    }
}

/// What a call threw. Out of line: `call`'s frame sits under every fiber.
#[cold]
#[inline(never)]
fn caught<'js>(ctx: &Ctx<'js>) -> Value<'js> {
    ctx.catch()
}

/// `object[index] = value` through the engine's indexed set (no atom for the key); false if it
/// threw (the exception is pending).
pub fn set_index<'js>(ctx: &Ctx<'js>, object: &Object<'js>, index: u32, value: Value<'js>) -> bool {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a live object of this context; the engine takes the (duplicated) value.
    unsafe { qjs::JS_SetPropertyUint32(raw, object.as_raw(), index, qjs::JS_DupValue(raw, value.as_raw())) >= 0 }
}

/// An error made uncatchable to stop runaway code (a test's time limit) becomes an ordinary one.
pub fn make_catchable(ctx: &Ctx<'_>, error: &Value<'_>) {
    // SAFETY: inspecting and clearing a flag of a live value.
    unsafe {
        if qjs::JS_IsUncatchableError(error.as_raw()) {
            qjs::JS_ClearUncatchableError(ctx.as_raw().as_ptr(), error.as_raw());
        }
    }
}

/// A new reference to `value`, for the engine to take over. (Forgetting the `Value` instead
/// would also leak its hold on the context, and so the whole context.)
pub fn into_raw(value: &Value<'_>) -> qjs::JSValue {
    // SAFETY: a live value of its context; the new reference is the caller's to hand over.
    unsafe { qjs::JS_DupValue(value.ctx().as_raw().as_ptr(), value.as_raw()) }
}
