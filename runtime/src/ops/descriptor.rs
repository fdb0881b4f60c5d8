//! The JS side of an owned descriptor: an engine object of class `Descriptor` holding an
//! `Rc<Fd>`. lib/ wraps it in a socket, listener or file. When the engine frees the object (no
//! longer referenced anywhere), its finalizer drops the `Rc`, which closes the descriptor once
//! no operation is in flight on it (API.md: an unreferenced socket is closed).

use crate::ops::errors;
use std::{cell::Cell, rc::Rc};

use rquickjs::{qjs, Ctx, Result, Value};

use crate::uring::fd::Fd;

thread_local! {
    static CLASS: Cell<qjs::JSClassID> = const { Cell::new(0) };
}

/// Registers the class with this thread's runtime.
pub fn register(ctx: &Ctx<'_>) -> Result<()> {
    let def = qjs::JSClassDef {
        class_name: c"Descriptor".as_ptr(),
        finalizer: Some(finalize),
        gc_mark: None,
        call: None,
        exotic: std::ptr::null_mut(),
    };
    let mut id = CLASS.get();
    // SAFETY: a live runtime; the definition is copied by the engine.
    unsafe {
        let rt = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
        qjs::JS_NewClassID(rt, &mut id);
        if !qjs::JS_IsRegisteredClass(rt, id) && qjs::JS_NewClass(rt, id, &def) < 0 {
            return Err(errors::internal_error(ctx, "cannot register the Descriptor class"));
        }
    }
    CLASS.set(id);
    Ok(())
}

unsafe extern "C" fn finalize(_rt: *mut qjs::JSRuntime, value: qjs::JSValue) {
    // SAFETY: the opaque pointer was made by `Rc::into_raw` in `wrap`, and is dropped once.
    unsafe {
        let fd = qjs::JS_GetOpaque(value, CLASS.get()).cast::<Fd>();
        if !fd.is_null() {
            drop(Rc::from_raw(fd));
        }
    }
}

/// A new `Descriptor` owning (a share of) `fd`.
pub fn wrap<'js>(ctx: &Ctx<'js>, fd: Rc<Fd>) -> Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a new object of our class; its reference is handed to `Value`, and the opaque
    // pointer to the finalizer.
    unsafe {
        let object = qjs::JS_NewObjectClass(raw, CLASS.get());
        if qjs::JS_IsException(object) {
            return Err(rquickjs::Error::Exception);
        }
        qjs::JS_SetOpaque(object, Rc::into_raw(fd).cast_mut().cast());
        Ok(Value::from_raw(ctx.clone(), object))
    }
}

/// The descriptor a `Descriptor` value holds (a new share of it), or `None` for any other value.
pub fn get(value: qjs::JSValue) -> Option<Rc<Fd>> {
    // SAFETY: the opaque pointer of our class was made by `Rc::into_raw` and lives as long as
    // the object, which the caller's argument keeps alive; the count is raised for the new share.
    unsafe {
        let fd = qjs::JS_GetOpaque(value, CLASS.get()).cast::<Fd>();
        if fd.is_null() {
            return None;
        }
        Rc::increment_strong_count(fd);
        Some(Rc::from_raw(fd))
    }
}
