//! `crypto.getRandomValues` and `crypto.randomUUID` draw from the kernel's CSPRNG.

use crate::js::errors;
use rquickjs::{Ctx, Result, Value};

use super::Ops;
use crate::js::bytes::with_bytes_mut;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_crypto_random_fill", op_crypto_random_fill)
}

/// Fills a view with random bytes, like `getrandom(2)`.
fn op_crypto_random_fill<'js>(ctx: Ctx<'js>, view: Value<'js>) -> Result<()> {
    with_bytes_mut(&ctx, &view, getrandom::fill)?
        .map_err(|e| errors::internal_error(&ctx, &format!("getrandom failed: {e}")))
}
