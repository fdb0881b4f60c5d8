//! Clocks and timers: `performance.now()` and `setTimeout`/`setInterval`.

use std::time::Duration;

use rquickjs::{Ctx, Function, Persistent, Result};

use super::Ops;
use crate::engine::host::host;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_time_now", op_time_now)?;
    ops.add("op_time_origin", op_time_origin)?;
    ops.add("op_timer_start", op_timer_start)?;
    ops.add("op_timer_clear", op_timer_clear)?;
    ops.add("op_timer_unref", op_timer_unref)
}

/// Milliseconds since the runtime started, from the monotonic clock.
fn op_time_now(ctx: Ctx<'_>) -> f64 {
    host(&ctx).origin.elapsed().as_secs_f64() * 1e3
}

/// When the runtime started, in milliseconds since the Unix epoch.
fn op_time_origin(ctx: Ctx<'_>) -> f64 {
    host(&ctx).origin_epoch_ms
}

/// Calls `callback` after `ms` (again every `ms` when `repeat`); returns the timer's id.
fn op_timer_start<'js>(ctx: Ctx<'js>, callback: Function<'js>, ms: f64, repeat: bool) -> u32 {
    // setTimeout clamps to Node's 1 ms minimum in lib/; the runtime's own 0 means "next turn".
    let ms = if ms.is_finite() && ms > 0.0 { ms.min(2_147_483_647.0) } else { 0.0 };
    let callback = Persistent::save(&ctx, callback);
    host(&ctx).timers.borrow_mut().start(callback, Duration::from_secs_f64(ms / 1e3), repeat)
}

fn op_timer_clear(ctx: Ctx<'_>, id: u32) {
    host(&ctx).timers.borrow_mut().clear(id);
}

/// The timer no longer keeps the program running by itself (Node's `timeout.unref()`).
fn op_timer_unref(ctx: Ctx<'_>, id: u32) {
    host(&ctx).timers.borrow_mut().unref(id);
}
