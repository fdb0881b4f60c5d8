//! A promise as the engine sees it: settled or not, and with what, read from the engine's own
//! state. Reading it runs no JS, so nothing a program does to `Promise.prototype.then` can see
//! or break it (a host that called `then` on the main module's promise would be observable).

use rquickjs::{qjs, Ctx, Promise, Value};

/// `Some(Ok(value))` once fulfilled, `Some(Err(reason))` once rejected, `None` while pending.
pub fn settled<'js>(ctx: &Ctx<'js>, promise: &Promise<'js>) -> Option<Result<Value<'js>, Value<'js>>> {
    // SAFETY: a live promise of this context; the engine returns a new reference to its result.
    let (state, result) = unsafe {
        let raw = ctx.as_raw().as_ptr();
        let state = qjs::JS_PromiseState(raw, promise.as_raw());
        if state == qjs::JSPromiseStateEnum_JS_PROMISE_PENDING {
            return None;
        }
        (state, Value::from_raw(ctx.clone(), qjs::JS_PromiseResult(raw, promise.as_raw())))
    };
    Some(if state == qjs::JSPromiseStateEnum_JS_PROMISE_FULFILLED { Ok(result) } else { Err(result) })
}
