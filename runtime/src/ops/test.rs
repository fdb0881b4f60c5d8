//! Support for `uringy test`: a time limit that also stops synchronous code.

use std::{
    cell::Cell,
    rc::Rc,
    time::{Duration, Instant},
};

use rquickjs::Result;

use super::Ops;

/// `deadline` is what the engine's interrupt handler reads.
pub fn register(ops: &Ops<'_>, deadline: Rc<Cell<Option<Instant>>>) -> Result<()> {
    // From now on, code still running after `ms` is interrupted (an uncatchable error ends the
    // running test); a negative `ms` removes the limit.
    ops.add("op_test_set_deadline", move |ms: f64| {
        deadline.set((ms >= 0.0).then(|| Instant::now() + Duration::from_secs_f64(ms / 1e3)));
    })
}
