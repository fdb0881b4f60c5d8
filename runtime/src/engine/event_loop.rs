//! The loop that runs after the main module starts: microtasks, then due timers, then one
//! wait on the ring until the next deadline; it ends when nothing is left to wait for.

use std::time::Instant;

use rquickjs::{qjs, Ctx, Persistent, Value};

use super::host::{host, Saved};

/// Why the loop stopped early: an error nobody handled.
pub enum Uncaught {
    Thrown(Saved),
    Rejection(Saved),
}

pub fn run(ctx: &Ctx<'_>) -> Result<(), Uncaught> {
    loop {
        run_microtasks(ctx)?;
        let due = host(ctx).timers.borrow_mut().take_due(Instant::now());
        if let Some(callback) = due {
            let callback = callback.restore(ctx).map_err(|_| thrown(ctx))?;
            if callback.call::<_, Value>(()).is_err() {
                return Err(thrown(ctx));
            }
            continue;
        }
        let Some(deadline) = host(ctx).timers.borrow().next_deadline() else { return Ok(()) };
        if let Err(e) = host(ctx).ring.borrow_mut().wait_until(deadline) {
            let error = rquickjs::Exception::throw_internal(ctx, &format!("io_uring wait failed: {e}"));
            let _ = error;
            return Err(thrown(ctx));
        }
    }
}

/// Runs promise jobs until none is left, then reports the first unhandled rejection.
pub fn run_microtasks(ctx: &Ctx<'_>) -> Result<(), Uncaught> {
    loop {
        let mut job_ctx = std::ptr::null_mut();
        // SAFETY: the runtime pointer comes from a live context; quickjs writes the context
        // the job ran in to `job_ctx`, which we only use through `ctx` (one context per runtime).
        let ran = unsafe { qjs::JS_ExecutePendingJob(qjs::JS_GetRuntime(ctx.as_raw().as_ptr()), &mut job_ctx) };
        if ran < 0 {
            return Err(thrown(ctx));
        }
        if let Some(error) = host(ctx).uncaught.borrow_mut().take() {
            return Err(Uncaught::Thrown(error));
        }
        if ran == 0 {
            break;
        }
    }
    let first = host(ctx).rejections.borrow_mut().drain(..).next();
    match first {
        Some((_, reason)) => Err(Uncaught::Rejection(reason)),
        None => Ok(()),
    }
}

/// The pending exception, saved.
pub fn thrown(ctx: &Ctx<'_>) -> Uncaught {
    Uncaught::Thrown(Persistent::save(ctx, ctx.catch()))
}

/// quickjs tells the host when a promise is rejected with no handler, and again if a
/// handler is attached later.
pub fn track_rejection<'js>(ctx: Ctx<'js>, promise: Value<'js>, reason: Value<'js>, handled: bool) {
    let Some(host) = ctx.userdata::<super::host::Host>() else { return };
    let mut pending = host.rejections.borrow_mut();
    if handled {
        pending.retain(|(p, _)| p.clone().restore(&ctx).map_or(true, |p| p != promise));
    } else {
        pending.push((Persistent::save(&ctx, promise), Persistent::save(&ctx, reason)));
    }
}
