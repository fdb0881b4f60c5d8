//! Bytes in JS memory: `Uint8Array`s and other views that ops read from and write into, and
//! arrays that take over a Rust buffer. Every access runs a closure over a slice during which
//! no JS runs, so the memory can be neither freed, detached nor resized meanwhile.

use std::{ffi::c_void, mem::ManuallyDrop, ptr};

use rquickjs::{qjs, Ctx, Value};

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

/// A `Uint8Array` that takes over `bytes` without copying them, in one engine call (a file
/// read whole becomes one). The engine frees them, or for `ArrayBuffer.prototype.transfer`
/// resizes them, through [`manage`], with Rust's allocator. If the engine runs out of memory
/// making the array, the bytes may be leaked, never freed twice.
pub fn uint8_array_of<'js>(ctx: &Ctx<'js>, bytes: Vec<u8>) -> rquickjs::Result<Value<'js>> {
    let mut bytes = ManuallyDrop::new(bytes);
    let (ptr, len) = (bytes.as_mut_ptr(), bytes.len());
    // The capacity, which the engine does not track, where `manage` finds it: the engine
    // passes the same opaque pointer for the array's whole life, also after a transfer.
    let capacity = Box::into_raw(Box::new(bytes.capacity()));
    // SAFETY: the engine takes the vector's memory and hands it to `manage` to resize or
    // free; the new value's reference is the `Value`'s.
    let value = unsafe {
        let raw = qjs::JS_NewUint8Array(ctx.as_raw().as_ptr(), ptr, len as _, Some(manage), capacity.cast(), false);
        Value::from_raw(ctx.clone(), raw)
    };
    if value.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(value)
}

/// The engine's hook for memory it took from a vector: `size` 0 frees it, anything else
/// resizes it.
unsafe extern "C" fn manage(
    _rt: *mut qjs::JSRuntime,
    opaque: *mut c_void,
    ptr: *mut c_void,
    size: qjs::size_t,
) -> *mut c_void {
    let capacity = opaque.cast::<usize>();
    // SAFETY: `ptr` and the capacity behind `opaque` describe the vector handed over in
    // `uint8_array_of` (or the last resize of it); all of its bytes are initialised.
    let mut bytes = ManuallyDrop::new(unsafe { Vec::from_raw_parts(ptr.cast::<u8>(), *capacity, *capacity) });
    let size = size as usize;
    if size == 0 {
        // SAFETY: the engine frees an array's memory once, and nothing uses it afterwards;
        // the capacity's box is freed with it.
        unsafe {
            ManuallyDrop::drop(&mut bytes);
            drop(Box::from_raw(capacity));
        }
        return ptr::null_mut();
    }
    let len = bytes.len();
    if size > len {
        if bytes.try_reserve_exact(size - len).is_err() {
            return ptr::null_mut(); // the engine throws out of memory; the bytes stay as they were
        }
        bytes.resize(size, 0);
    } else {
        bytes.truncate(size);
        bytes.shrink_to_fit();
    }
    // SAFETY: the box made in `uint8_array_of`, still the array's.
    unsafe { *capacity = bytes.capacity() };
    bytes.as_mut_ptr().cast()
}
