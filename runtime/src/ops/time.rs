//! Clocks and timers: `performance.now()` and `setTimeout`/`setInterval`.

use std::time::Duration;

use rquickjs::{Ctx, Function, Persistent, Result};

use super::Ops;
use crate::{engine::host::host, scheduler::flush_effects};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_time_now", op_time_now)?;
    ops.add("op_time_origin", op_time_origin)?;
    ops.add("op_timer_start", op_timer_start)?;
    ops.add("op_timer_start_unref", op_timer_start_unref)?;
    ops.add("op_timer_clear", op_timer_clear)
}

/// Milliseconds since the runtime started, from the monotonic clock.
fn op_time_now(ctx: Ctx<'_>) -> f64 {
    host(&ctx).origin.elapsed().as_secs_f64() * 1e3
}

/// When the runtime started, in milliseconds since the Unix epoch.
fn op_time_origin(ctx: Ctx<'_>) -> f64 {
    host(&ctx).origin_epoch_ms
}

/// Calls `callback` on a fiber of its own after `ms` (again every `ms` when `repeat`); the
/// timer is a child of the caller's innermost scope until it fires or is cleared. Returns its id.
fn op_timer_start<'js>(ctx: Ctx<'js>, callback: Function<'js>, ms: f64, repeat: bool) -> f64 {
    let callback = Persistent::save(&ctx, callback);
    host(&ctx).scheduler.borrow_mut().set_timer(callback, delay(ms), repeat, true)
}

/// A timer that fires if the program is still running then, but keeps nothing running (Node's
/// `timeout.unref()`; used by `AbortSignal.timeout`).
fn op_timer_start_unref<'js>(ctx: Ctx<'js>, callback: Function<'js>, ms: f64) -> f64 {
    let callback = Persistent::save(&ctx, callback);
    host(&ctx).scheduler.borrow_mut().set_timer(callback, delay(ms), false, false)
}

/// setTimeout clamps to Node's 1 ms minimum in lib/; the runtime's own 0 means "next turn".
fn delay(ms: f64) -> Duration {
    let ms = if ms.is_finite() && ms > 0.0 { ms.min(2_147_483_647.0) } else { 0.0 };
    Duration::from_secs_f64(ms / 1e3)
}

fn op_timer_clear(ctx: Ctx<'_>, id: f64) {
    host(&ctx).scheduler.borrow_mut().clear_timer(id);
    flush_effects(&ctx); // a fiber waiting only for this timer is done now
}
