//! Modules as the loader hands them to the engine: the standard library from bytecode compiled
//! at build time, namespaces of loaded modules, and imports made by the runtime itself.

use std::{ffi::CStr, ptr::NonNull};

use rquickjs::{module::Declared, qjs, Ctx, Module, Object, Promise, Value};

/// Where bytecode modules come from, and who hears that one was read.
pub trait Bytecode {
    /// The bytecode of module `name`, written by this engine version's `Module::write`.
    fn bytecode(name: &str) -> Option<&'static [u8]>;
    /// Module `name` has been read (it is evaluated later, as the engine goes on).
    fn read(ctx: &Ctx<'_>, name: &str, module: ModuleRef);
    /// `name` has no bytecode: throws the error that says so.
    fn missing(ctx: &Ctx<'_>, name: &str);
}

/// A module the engine has read. Modules live as long as their runtime, so a `ModuleRef` kept
/// by the runtime's loader stays valid.
#[derive(Clone, Copy)]
pub struct ModuleRef(NonNull<qjs::JSModuleDef>);

/// Declares module `name`, read from `B`'s bytecode when the engine asks for it.
pub fn declare_bytecode<'js, B: Bytecode>(ctx: &Ctx<'js>, name: &str) -> rquickjs::Result<Module<'js, Declared>> {
    // SAFETY: `read_bytecode::<B>` returns a module read in this context, or null with an
    // exception pending, as `from_load_fn` requires.
    unsafe { Module::from_load_fn(ctx.clone(), name, read_bytecode::<B>) }
}

unsafe extern "C" fn read_bytecode<B: Bytecode>(
    ctx: *mut qjs::JSContext,
    name: *const qjs::c_char,
) -> *mut qjs::JSModuleDef {
    // SAFETY: quickjs passes a live context and a NUL-terminated module name.
    let (Some(raw), Ok(name)) = (NonNull::new(ctx), unsafe { CStr::from_ptr(name) }.to_str()) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the context is live for this call.
    let ctx = unsafe { Ctx::from_raw(raw) };
    let Some(bytecode) = B::bytecode(name) else {
        B::missing(&ctx, name);
        return std::ptr::null_mut();
    };
    let flags = (qjs::JS_READ_OBJ_BYTECODE | qjs::JS_READ_OBJ_ROM_DATA) as i32;
    // SAFETY: the bytes were written by `Module::write` of this same engine version (the
    // trait's contract), and are 'static as JS_READ_OBJ_ROM_DATA requires; the tag and pointer
    // are read from the value just returned.
    let module = unsafe {
        let value = qjs::JS_ReadObject(raw.as_ptr(), bytecode.as_ptr(), bytecode.len() as _, flags);
        if qjs::JS_VALUE_GET_TAG(value) != qjs::JS_TAG_MODULE {
            return std::ptr::null_mut();
        }
        qjs::JS_VALUE_GET_PTR(value).cast::<qjs::JSModuleDef>()
    };
    if let Some(module) = NonNull::new(module) {
        B::read(&ctx, name, ModuleRef(module));
    }
    module
}

/// The namespace of a module that has been read and evaluated.
pub fn namespace<'js>(ctx: &Ctx<'js>, module: ModuleRef) -> Option<Object<'js>> {
    // SAFETY: modules live as long as the runtime (`ModuleRef`); the namespace value is ours.
    unsafe { Value::from_raw(ctx.clone(), qjs::JS_GetModuleNamespace(ctx.as_raw().as_ptr(), module.0.as_ptr())) }
        .into_object()
}

/// Loads and evaluates module `name` on behalf of the runtime itself (no importing module);
/// the promise settles when evaluation has finished.
pub fn import_as_host<'js>(ctx: &Ctx<'js>, name: &str) -> rquickjs::Result<Promise<'js>> {
    let name = std::ffi::CString::new(name)?;
    // SAFETY: both strings are NUL-terminated and outlive the call; the returned value's
    // reference is the `Value`'s.
    let value =
        unsafe { Value::from_raw(ctx.clone(), qjs::JS_LoadModule(ctx.as_raw().as_ptr(), c"".as_ptr(), name.as_ptr())) };
    if value.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    value.into_promise().ok_or(rquickjs::Error::Exception)
}
