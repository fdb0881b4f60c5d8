//! Clocks and timers: `performance.now()` and `setTimeout`/`setInterval`.

use std::time::{Duration, Instant};

use rquickjs::{Ctx, Function, Persistent, Result};

use super::Ops;
use crate::scheduler::{flush_effects, with};

/// `origin` is when the runtime started, `origin_epoch_ms` the same instant in milliseconds
/// since the Unix epoch.
pub fn register(ops: &Ops<'_>, origin: Instant, origin_epoch_ms: f64) -> Result<()> {
    // Milliseconds since the runtime started, from the monotonic clock.
    ops.add("op_time_now", move || origin.elapsed().as_secs_f64() * 1e3)?;
    ops.add("op_time_origin", move || origin_epoch_ms)?;
    ops.add("op_timer_start", op_timer_start)?;
    ops.add("op_timer_start_unref", op_timer_start_unref)?;
    ops.add("op_timer_clear", op_timer_clear)
}

/// Calls `callback` on a fiber of its own after `ms` (again every `ms` when `repeat`); the
/// timer is a child of the caller's innermost scope until it fires or is cleared. Returns its id.
fn op_timer_start<'js>(ctx: Ctx<'js>, callback: Function<'js>, ms: f64, repeat: bool) -> f64 {
    let callback = Persistent::save(&ctx, callback);
    with(|s| s.set_timer(callback, delay(ms), repeat, true))
}

/// A timer that fires if the program is still running then, but keeps nothing running (Node's
/// `timeout.unref()`; used by `AbortSignal.timeout`).
fn op_timer_start_unref<'js>(ctx: Ctx<'js>, callback: Function<'js>, ms: f64) -> f64 {
    let callback = Persistent::save(&ctx, callback);
    with(|s| s.set_timer(callback, delay(ms), false, false))
}

/// setTimeout clamps to Node's 1 ms minimum in lib/; the runtime's own 0 means "next turn".
fn delay(ms: f64) -> Duration {
    let ms = if ms.is_finite() && ms > 0.0 { ms.min(2_147_483_647.0) } else { 0.0 };
    Duration::from_secs_f64(ms / 1e3)
}

fn op_timer_clear(ctx: Ctx<'_>, id: f64) {
    with(|s| s.clear_timer(id));
    flush_effects(&ctx); // a fiber waiting only for this timer is done now
}
