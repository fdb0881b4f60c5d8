//! Engine objects that hold a Rust value: an object of the class `Native` owns an `Rc` of
//! anything, dropped when the engine frees the object (no longer referenced anywhere). A socket,
//! listener or file is such an object holding its descriptor (API.md: an unreferenced socket
//! is closed).

use std::{any::Any, cell::Cell, rc::Rc};

use rquickjs::{qjs, Ctx, Result, Value};

use super::errors;

thread_local! {
    /// The class's id in this thread's runtime (registered by [`register`] for each runtime).
    static CLASS: Cell<qjs::JSClassID> = const { Cell::new(0) };
}

/// What the object's opaque pointer points to (a thin pointer to the fat `Rc`).
type Held = Rc<dyn Any>;

/// Registers the class with the runtime of `ctx`.
pub fn register(ctx: &Ctx<'_>) -> Result<()> {
    let def = qjs::JSClassDef {
        class_name: c"Native".as_ptr(),
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
            return Err(errors::internal_error(ctx, "cannot register the Native class"));
        }
    }
    CLASS.set(id);
    Ok(())
}

unsafe extern "C" fn finalize(_rt: *mut qjs::JSRuntime, value: qjs::JSValue) {
    // SAFETY: the opaque pointer was made by `Box::into_raw` in `wrap`, and is dropped once.
    unsafe {
        let held = qjs::JS_GetOpaque(value, CLASS.get()).cast::<Held>();
        if !held.is_null() {
            drop(Box::from_raw(held));
        }
    }
}

/// A new object holding (a share of) `value`.
pub fn wrap<'js, T: Any>(ctx: &Ctx<'js>, value: Rc<T>) -> Result<Value<'js>> {
    let held: Box<Held> = Box::new(value);
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a new object of our class; its reference is handed to `Value`, and the opaque
    // pointer to the finalizer.
    unsafe {
        let object = qjs::JS_NewObjectClass(raw, CLASS.get() as _);
        if qjs::JS_IsException(object) {
            return Err(rquickjs::Error::Exception);
        }
        qjs::JS_SetOpaque(object, Box::into_raw(held).cast());
        Ok(Value::from_raw(ctx.clone(), object))
    }
}

/// The `T` an object of the class holds (a new share of it); `None` for any other value.
pub fn get<T: Any>(value: &Value<'_>) -> Option<Rc<T>> {
    // SAFETY: the opaque pointer of our class points to the `Held` made in `wrap`, which lives
    // as long as the object, which `value` keeps alive.
    let held = unsafe { qjs::JS_GetOpaque(value.as_raw(), CLASS.get()).cast::<Held>().as_ref() }?;
    held.clone().downcast::<T>().ok()
}
