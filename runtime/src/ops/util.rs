//! Ops for the engine's own objects: promise state for `console.log`, errors that have no
//! caller to go to, and byte views shared by other ops.

use crate::ops::errors;
use rquickjs::{convert::List, qjs, Ctx, FromJs, Promise, Result, Value};

use super::Ops;
use crate::{engine::promise::settled, scheduler::report_uncaught};

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

/// A JS string as UTF-8 with lone surrogates replaced by U+FFFD (WebIDL's USVString), read in
/// place from the engine's bytes: a big string is not copied to be written or encoded.
/// (The engine encodes a lone surrogate as its code point's three-byte form ED A0..BF xx, which
/// UTF-8 forbids; paired surrogates arrive as one 4-byte character.)
pub struct Usv<'js> {
    engine: rquickjs::CString<'js>,
    /// The text with lone surrogates replaced, when there were any.
    fixed: Option<String>,
}

impl std::ops::Deref for Usv<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.fixed {
            Some(fixed) => fixed,
            // SAFETY: checked to be UTF-8 when made.
            None => unsafe { std::str::from_utf8_unchecked(engine_bytes(&self.engine)) },
        }
    }
}

fn engine_bytes<'a>(text: &'a rquickjs::CString<'_>) -> &'a [u8] {
    // SAFETY: the engine's bytes of the string, which live as long as `text`.
    unsafe { std::slice::from_raw_parts(text.as_ptr().cast::<u8>(), text.len()) }
}

impl<'js> FromJs<'js> for Usv<'js> {
    fn from_js(_ctx: &Ctx<'js>, value: Value<'js>) -> Result<Self> {
        let engine = rquickjs::String::from_value(value)?.to_cstring()?;
        let bytes = engine_bytes(&engine);
        if std::str::from_utf8(bytes).is_ok() {
            return Ok(Usv { engine, fixed: None });
        }
        let mut bytes = bytes.to_vec();
        for i in 0..bytes.len().saturating_sub(2) {
            if bytes[i] == 0xED && bytes[i + 1] >= 0xA0 {
                bytes[i..i + 3].copy_from_slice("\u{FFFD}".as_bytes());
            }
        }
        let fixed = Some(String::from_utf8_lossy(&bytes).into_owned());
        Ok(Usv { engine, fixed })
    }
}

/// Runs `f` on the bytes of an ArrayBuffer or any ArrayBuffer view (typed array, DataView).
/// No JS runs while `f` does, so the memory can be neither freed nor detached meanwhile.
pub fn with_bytes<'js, R>(ctx: &Ctx<'js>, value: &Value<'js>, f: impl FnOnce(&[u8]) -> R) -> Result<R> {
    with_bytes_mut(ctx, value, |bytes| f(bytes))
}

/// As [`with_bytes`], writable.
pub fn with_bytes_mut<'js, R>(ctx: &Ctx<'js>, value: &Value<'js>, f: impl FnOnce(&mut [u8]) -> R) -> Result<R> {
    let not_bytes = || errors::type_error(ctx, "expected an ArrayBuffer, a TypedArray or a DataView");
    let object = value.as_object().ok_or_else(not_bytes)?;
    let (buffer, offset, length) = if is_array_buffer(object.as_value()) {
        (object.clone().into_value(), 0, usize::MAX)
    } else {
        // A getter that fails for its own reason (a RangeError near the stack limit) says so.
        let buffer: Value = object.get("buffer").map_err(|e| if e.is_exception() { e } else { not_bytes() })?;
        if !is_array_buffer(&buffer) {
            return Err(not_bytes());
        }
        (buffer, object.get::<_, usize>("byteOffset")?, object.get::<_, usize>("byteLength")?)
    };
    let mut size: qjs::size_t = 0;
    // SAFETY: `buffer` is an ArrayBuffer kept alive by this frame; a detached buffer yields
    // null with a TypeError pending.
    let data = unsafe { qjs::JS_GetArrayBuffer(ctx.as_raw().as_ptr(), &mut size, buffer.as_raw()) };
    if data.is_null() {
        return Err(rquickjs::Error::Exception);
    }
    let size = size as usize;
    let length = if length == usize::MAX { size } else { length };
    if offset.checked_add(length).is_none_or(|end| end > size) {
        return Err(errors::range_error(ctx, "view lies outside its ArrayBuffer"));
    }
    // SAFETY: the range lies inside the buffer's current memory; no JS runs while the slice
    // is borrowed, so it can be neither freed, detached nor resized meanwhile.
    let bytes = unsafe { std::slice::from_raw_parts_mut(data.add(offset), length) };
    Ok(f(bytes))
}

fn is_array_buffer(value: &Value<'_>) -> bool {
    // SAFETY: only inspects the value's class.
    unsafe { qjs::JS_IsArrayBuffer(value.as_raw()) }
}
