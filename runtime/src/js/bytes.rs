//! Bytes in JS memory: `Uint8Array`s and other views that ops read from and write into, and
//! arrays that take over a Rust buffer. Every access runs a closure over a slice during which
//! no JS runs, so the memory can be neither freed, detached nor resized meanwhile.

use rquickjs::{qjs, ArrayBuffer, Ctx, TypedArray, Value};

use super::errors;

/// The memory of a `Uint8Array` and its usable length, or `None` with a TypeError pending.
///
/// The engine gives a length-tracking view of a resizable buffer the length it had when it
/// was made; after the buffer shrank, only what is still inside the buffer counts (writing
/// past it would lose the bytes, or worse).
fn uint8_array(ctx: &Ctx<'_>, value: &Value<'_>) -> Option<(*mut u8, usize)> {
    let mut len: qjs::size_t = 0;
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: the engine checks the value's class (an empty array may have no memory at all).
    let data = unsafe { qjs::JS_GetUint8Array(raw, &mut len, value.as_raw()) };
    // SAFETY: only inspects the context.
    if data.is_null() && unsafe { qjs::JS_HasException(raw) } {
        not_uint8_array(ctx, value);
        return None;
    }
    let (mut offset, mut size): (qjs::size_t, qjs::size_t) = (0, 0);
    // SAFETY: a typed array (checked above); the buffer's new reference is freed at once.
    unsafe {
        let buffer =
            qjs::JS_GetTypedArrayBuffer(raw, value.as_raw(), &mut offset, std::ptr::null_mut(), std::ptr::null_mut());
        if qjs::JS_IsException(buffer) {
            return None;
        }
        qjs::JS_GetArrayBuffer(raw, &mut size, buffer);
        qjs::JS_FreeValue(raw, buffer);
    }
    Some((data, (len as usize).min((size as usize).saturating_sub(offset as usize))))
}

/// Replaces the engine's "not a TypedArray" with an error that says what was expected (a
/// detached array keeps the engine's own message).
#[cold]
fn not_uint8_array(ctx: &Ctx<'_>, value: &Value<'_>) {
    // SAFETY: only inspects the value's class.
    if unsafe { qjs::JS_GetTypedArrayType(value.as_raw()) } >= 0 {
        return;
    }
    drop(ctx.catch());
    let got = match value.type_name() {
        _ if value.is_object() => "another kind of object",
        "int" | "float" => "a number",
        other => other,
    };
    errors::type_error(ctx, &format!("expected a Uint8Array, got {got}"));
}

/// The length of a `Uint8Array` (what of it is inside its buffer); `Err` with a TypeError
/// pending for anything else or a detached one.
pub fn uint8_array_len(ctx: &Ctx<'_>, value: &Value<'_>) -> rquickjs::Result<usize> {
    uint8_array(ctx, value).map(|(_, len)| len).ok_or(rquickjs::Error::Exception)
}

/// Runs `f` on the bytes of a `Uint8Array`; no JS runs while `f` does.
pub fn with_uint8_array<R>(ctx: &Ctx<'_>, value: &Value<'_>, f: impl FnOnce(&mut [u8]) -> R) -> rquickjs::Result<R> {
    let (data, len) = uint8_array(ctx, value).ok_or(rquickjs::Error::Exception)?;
    if len == 0 {
        return Ok(f(&mut []));
    }
    // SAFETY: `len` bytes at `data` are the array's (inside its buffer, checked above), and no
    // JS runs while `f` borrows them.
    Ok(f(unsafe { std::slice::from_raw_parts_mut(data, len) }))
}

/// Runs `f` on the bytes of an ArrayBuffer or any ArrayBuffer view (typed array, DataView);
/// no JS runs while `f` does.
pub fn with_bytes<'js, R>(ctx: &Ctx<'js>, value: &Value<'js>, f: impl FnOnce(&[u8]) -> R) -> rquickjs::Result<R> {
    with_bytes_mut(ctx, value, |bytes| f(bytes))
}

/// As [`with_bytes`], writable.
pub fn with_bytes_mut<'js, R>(
    ctx: &Ctx<'js>,
    value: &Value<'js>,
    f: impl FnOnce(&mut [u8]) -> R,
) -> rquickjs::Result<R> {
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

/// A `Uint8Array` that takes over `bytes` without copying them; the engine frees (or, for
/// `ArrayBuffer.prototype.transfer`, resizes) them with Rust's allocator.
pub fn uint8_array_of<'js>(ctx: &Ctx<'js>, bytes: Vec<u8>) -> rquickjs::Result<Value<'js>> {
    let buffer = ArrayBuffer::new(ctx.clone(), bytes)?;
    Ok(TypedArray::<u8>::from_arraybuffer(buffer)?.into_value())
}
