//! Ops for the engine's own objects: promise state for `console.log`, and errors that have no
//! caller to go to.

use rquickjs::{convert::List, Ctx, Promise, Result, Value};

use super::Ops;
use crate::{js::promise::settled, scheduler::report_uncaught};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_util_promise_state", op_util_promise_state)?;
    ops.add("op_util_report_uncaught", op_util_report_uncaught)
}

/// `[state, value]` with state 0 pending, 1 fulfilled, 2 rejected; inspect() shows it.
fn op_util_promise_state<'js>(ctx: Ctx<'js>, promise: Promise<'js>) -> List<(u8, Value<'js>)> {
    List(match settled(&ctx, &promise) {
        None => (0, Value::new_undefined(ctx)),
        Some(Ok(value)) => (1, value),
        Some(Err(reason)) => (2, reason),
    })
}

/// An error from a callback nobody awaits (queueMicrotask, an event listener): it ends the
/// program as an uncaught error, as in Node (the root fails with it).
fn op_util_report_uncaught<'js>(ctx: Ctx<'js>, error: Value<'js>) {
    report_uncaught(&ctx, error, false);
}
