//! Values as bytes, to carry them from one engine to another (`uringy:thread`'s messages):
//! the engine's own object serializer, which keeps shared references and cycles, and handles
//! every kind of value the structured clone algorithm allows once lib/ has turned errors into
//! plain records (lib/internal/structured_clone.ts, `toWire`).

use rquickjs::{qjs, Ctx, Result, Value};

/// `value` (a graph lib/ made for the wire) as bytes; `Err` with the engine's exception pending
/// for what it cannot write.
pub fn write(ctx: &Ctx<'_>, value: &Value<'_>) -> Result<Vec<u8>> {
    let raw = ctx.as_raw().as_ptr();
    let mut len: qjs::size_t = 0;
    // SAFETY: a live value of this context; the engine returns a buffer of its allocator.
    let buf = unsafe { qjs::JS_WriteObject(raw, &mut len, value.as_raw(), qjs::JS_WRITE_OBJ_REFERENCE as i32) };
    if buf.is_null() {
        return Err(rquickjs::Error::Exception);
    }
    // SAFETY: `len` bytes at `buf`, written just now; freed with the engine's allocator.
    let bytes = unsafe { std::slice::from_raw_parts(buf, len as usize) }.to_vec();
    // SAFETY: the buffer the engine returned, no longer used.
    unsafe { qjs::js_free(raw, buf.cast()) };
    Ok(bytes)
}

/// The value `bytes` (made by [`write`] in this build of the runtime) describe, in this engine.
pub fn read<'js>(ctx: &Ctx<'js>, bytes: &[u8]) -> Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: the engine reads `bytes` (no bytecode is allowed, so it only makes data) and
    // returns a new value, or an exception for bytes it does not understand.
    let value = unsafe { qjs::JS_ReadObject(raw, bytes.as_ptr(), bytes.len() as _, qjs::JS_READ_OBJ_REFERENCE as i32) };
    // SAFETY: a new value of this context, whose reference the `Value` takes over.
    let value = unsafe { Value::from_raw(ctx.clone(), value) };
    if value.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(value)
}
