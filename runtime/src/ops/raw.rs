//! Helpers for raw ops ([`super::RawOp`]): functions the engine calls with its own calling
//! convention, used where an op's frames sit under a waiting fiber.

use std::{ffi::c_int, ptr::NonNull};

use rquickjs::{qjs, Ctx};

/// The context a raw op was called in.
///
/// # Safety
/// `raw` must be the live context the engine passed to the op.
pub unsafe fn context<'js>(raw: *mut qjs::JSContext) -> Ctx<'js> {
    // SAFETY: as the caller guarantees.
    unsafe { Ctx::from_raw(NonNull::new_unchecked(raw)) }
}

/// Argument `i`, borrowed (undefined when missing).
///
/// # Safety
/// `argv` must hold `argc` live values, as the engine passes them.
pub unsafe fn arg(argc: c_int, argv: *mut qjs::JSValue, i: usize) -> qjs::JSValue {
    if (i as c_int) < argc {
        // SAFETY: as the caller guarantees.
        unsafe { *argv.add(i) }
    } else {
        qjs::JS_UNDEFINED
    }
}

/// The memory of a `Uint8Array`, valid until JS runs again; `None` (with a TypeError pending)
/// for anything else or a detached one.
///
/// The engine gives a length-tracking view of a resizable buffer the length it had when it
/// was made; after the buffer shrank, only what is still inside the buffer counts (writing
/// past it would lose the bytes, or worse).
pub fn uint8_array(ctx: &Ctx<'_>, value: qjs::JSValue) -> Option<(*mut u8, usize)> {
    let mut len: qjs::size_t = 0;
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: the engine checks the value's class (an empty array may have no memory at all).
    let data = unsafe { qjs::JS_GetUint8Array(raw, &mut len, value) };
    // SAFETY: only inspects the context.
    if data.is_null() && unsafe { qjs::JS_HasException(raw) } {
        not_bytes(ctx, value);
        return None;
    }
    let (mut offset, mut size): (qjs::size_t, qjs::size_t) = (0, 0);
    // SAFETY: a typed array (checked above); the buffer's new reference is freed at once.
    unsafe {
        let buffer = qjs::JS_GetTypedArrayBuffer(raw, value, &mut offset, std::ptr::null_mut(), std::ptr::null_mut());
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
fn not_bytes(ctx: &Ctx<'_>, value: qjs::JSValue) {
    // SAFETY: only inspects the value's class.
    if unsafe { qjs::JS_GetTypedArrayType(value) } >= 0 {
        return;
    }
    drop(ctx.catch());
    // SAFETY: a borrowed value of this context, duplicated for `Value` to own.
    let value = unsafe { rquickjs::Value::from_raw(ctx.clone(), qjs::JS_DupValue(ctx.as_raw().as_ptr(), value)) };
    let got = match value.type_name() {
        _ if value.is_object() => "another kind of object",
        "int" | "float" => "a number",
        other => other,
    };
    crate::ops::errors::type_error(ctx, &format!("expected a Uint8Array, got {got}"));
}

/// A number result, or the exception marker.
pub fn number(result: rquickjs::Result<usize>) -> qjs::JSValue {
    match result {
        Ok(n) => qjs::JS_NewFloat64(n as f64),
        Err(_) => qjs::JS_EXCEPTION,
    }
}
