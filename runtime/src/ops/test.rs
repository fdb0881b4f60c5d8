//! Support for `uringy test`: a time limit that also stops synchronous code.

use std::time::{Duration, Instant};

use rquickjs::{Ctx, Result};

use super::Ops;
use crate::engine::host::host;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_test_set_deadline", op_test_set_deadline)
}

/// From now on, code still running after `ms` is interrupted (an uncatchable error ends the
/// running test); a negative `ms` removes the limit.
fn op_test_set_deadline(ctx: Ctx<'_>, ms: f64) {
    let deadline = (ms >= 0.0).then(|| Instant::now() + Duration::from_secs_f64(ms / 1e3));
    host(&ctx).deadline.set(deadline);
}
