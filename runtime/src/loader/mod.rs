//! The module loader: resolves specifiers ([`resolve`]), reads sources, strips TypeScript
//! ([`strip`]), and hands quickjs a module — from the embedded standard library ([`stdlib`]),
//! the native ops, or the file system.
//!
//! Every read of user code goes through [`ModuleLoader::load`], the one place a bundle
//! embedded by a future `uringy compile` would plug in.

pub mod link_error;
pub mod resolve;
pub mod stdlib;

pub use uringy_strip::{names, strip};

use crate::ops::errors;
use std::{ffi::CStr, path::Path, ptr::NonNull, rc::Rc};

use rquickjs::{
    loader::{ImportAttributes, Loader, Resolver},
    module::Declared,
    object::Property,
    qjs, Ctx, Error, Exception, Module, Object, Result, Value,
};

use crate::{
    engine::{
        host::{forget_rejection, Host, Import},
        promise::settled,
    },
    fiber::engine_state,
    ops,
};

/// Shared by the resolver and loader halves that rquickjs wants as two objects.
pub struct ModuleLoader {
    /// The module `import.meta.main` is true for.
    main: Rc<str>,
    internals: resolve::Internals,
}

impl ModuleLoader {
    pub fn pair(main: &str, internals: resolve::Internals) -> (Self, Self) {
        let main: Rc<str> = main.into();
        (ModuleLoader { main: main.clone(), internals }, ModuleLoader { main, internals })
    }
}

impl Resolver for ModuleLoader {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        let resolved = resolve::resolve(base, name, self.internals).map_err(|e| {
            let error = throw_with_code(ctx, &e.0, "ERR_MODULE_NOT_FOUND");
            if let Some((line, column)) = import_position(ctx, base, name) {
                locate_pending(ctx, base, line, column);
            }
            error
        })?;
        if !base.starts_with("uringy:") {
            if let Some(host) = ctx.userdata::<Host>() {
                let import =
                    Import { importer: base.to_owned(), specifier: name.to_owned(), resolved: resolved.clone() };
                host.imports.borrow_mut().push(import);
            }
        }
        Ok(resolved)
    }
}

impl Loader for ModuleLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<Module<'js, Declared>> {
        if name == "uringy:ops" {
            return Module::declare_def::<ops::OpsModule, _>(ctx.clone(), name);
        }
        if name.starts_with("uringy:") {
            // SAFETY: `load_builtin` returns a module read in this context, or null with an
            // exception pending.
            return unsafe { Module::from_load_fn(ctx.clone(), name, load_builtin) };
        }
        let source = std::fs::read_to_string(name)
            .map_err(|e| throw_with_code(ctx, &format!("Cannot load module {name}: {e}"), "ERR_MODULE_NOT_FOUND"))?;
        let code = to_javascript(ctx, name, source)?;
        let module = declare(ctx, name, code)?;
        let meta = module.meta()?;
        let path = Path::new(name);
        meta.set("url", file_url(name))?;
        meta.set("filename", name)?;
        meta.set("dirname", path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default())?;
        meta.set("main", *self.main == *name)?;
        Ok(module)
    }
}

/// Reads a standard-library module from its bytecode and records it in the host, so that
/// [`builtin_namespace`] can find it.
unsafe extern "C" fn load_builtin(ctx: *mut qjs::JSContext, name: *const qjs::c_char) -> *mut qjs::JSModuleDef {
    // SAFETY: quickjs passes a live context and a NUL-terminated module name.
    let (Some(raw), Ok(name)) = (NonNull::new(ctx), unsafe { CStr::from_ptr(name) }.to_str()) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the context is live for this call.
    let ctx = unsafe { Ctx::from_raw(raw) };
    let Some(bytecode) = stdlib::bytecode(name) else {
        throw_with_code(&ctx, &format!("Cannot find module '{name}'"), "ERR_MODULE_NOT_FOUND");
        return std::ptr::null_mut();
    };
    let flags = (qjs::JS_READ_OBJ_BYTECODE | qjs::JS_READ_OBJ_ROM_DATA) as i32;
    // SAFETY: the bytes were written by `Module::write` of this same engine version in
    // build.rs, and are 'static as JS_READ_OBJ_ROM_DATA requires.
    let value = unsafe { qjs::JS_ReadObject(raw.as_ptr(), bytecode.as_ptr(), bytecode.len() as _, flags) };
    // SAFETY: reading the tag and pointer of a value just returned.
    if unsafe { qjs::JS_VALUE_GET_TAG(value) } != qjs::JS_TAG_MODULE {
        return std::ptr::null_mut();
    }
    let module = unsafe { qjs::JS_VALUE_GET_PTR(value) }.cast::<qjs::JSModuleDef>();
    if let (Some(host), Some(module)) = (ctx.userdata::<Host>(), NonNull::new(module)) {
        host.builtins.borrow_mut().insert(name.to_owned(), module);
    }
    module
}

/// Stack a standard-library module needs to load and evaluate (and the modules it imports):
/// generous, since one that overflows is broken for good.
const LOAD_STACK: usize = 256 * 1024;

/// Loads and evaluates the module `name` on behalf of the runtime itself (no importing module,
/// so internal built-ins resolve); the promise settles when evaluation has finished.
fn import_as_host<'js>(ctx: &Ctx<'js>, name: &str) -> Result<rquickjs::Promise<'js>> {
    let name = std::ffi::CString::new(name)?;
    // SAFETY: both strings are NUL-terminated and outlive the call; the returned value's
    // reference is ours.
    let value = unsafe { qjs::JS_LoadModule(ctx.as_raw().as_ptr(), c"".as_ptr(), name.as_ptr()) };
    // SAFETY: as above; an exception value is turned into Err by the conversion.
    let value = unsafe { Value::from_raw(ctx.clone(), value) };
    if value.is_exception() {
        return Err(Error::Exception);
    }
    value.into_promise().ok_or(Error::Exception)
}

/// The namespace of the built-in module `name`, loaded and evaluated now. quickjs evaluates a
/// module without top-level await before `JS_LoadModule` returns (only the promise it returns
/// settles later, in a job), and built-in modules have none.
///
/// A module that fails while it is evaluated stays failed (the language says so), so one is
/// not evaluated with too little stack left: a global first touched deep in a recursion (a
/// lazily loaded `URL`) throws RangeError there and works when touched again higher up. Its
/// rejected evaluation promise is the caller's error, not an unhandled rejection.
pub fn require_builtin<'js>(ctx: &Ctx<'js>, name: &str) -> Result<Object<'js>> {
    let loaded = ctx.userdata::<Host>().is_some_and(|host| host.builtins.borrow().contains_key(name));
    // SAFETY: the context's runtime, whose stack fields describe the running fiber.
    if !loaded && unsafe { engine_state::stack_left(qjs::JS_GetRuntime(ctx.as_raw().as_ptr())) } < LOAD_STACK {
        return Err(errors::range_error(ctx, "Maximum call stack size exceeded"));
    }
    let promise = import_as_host(ctx, name)?;
    if let Some(Err(reason)) = settled(ctx, &promise) {
        if let Some(host) = ctx.userdata::<Host>() {
            forget_rejection(ctx, &host, promise.as_value());
        }
        return Err(ctx.throw(reason));
    }
    builtin_namespace(ctx, name)
        .ok_or_else(|| errors::internal_error(ctx, &format!("built-in module {name} was not loaded")))
}

/// The namespace of a standard-library module that has been loaded and evaluated.
fn builtin_namespace<'js>(ctx: &Ctx<'js>, name: &str) -> Option<Object<'js>> {
    let module = *ctx.userdata::<Host>()?.builtins.borrow().get(name)?;
    // SAFETY: modules live as long as the runtime; the namespace value is owned by us.
    let namespace = unsafe { qjs::JS_GetModuleNamespace(ctx.as_raw().as_ptr(), module.as_ptr()) };
    // SAFETY: a value just returned by the engine, whose reference we take over.
    unsafe { Value::from_raw(ctx.clone(), namespace) }.into_object()
}

/// The source of user module `name`, as written (for error excerpts): its file, or the `-e`
/// code.
pub fn source_of(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    if let Some(host) = ctx.userdata::<Host>() {
        if let Some((_, code)) = host.eval_source.borrow().as_ref().filter(|(eval, _)| eval == name) {
            return Some(code.clone());
        }
    }
    std::fs::read_to_string(name).ok()
}

/// What quickjs compiles for the file `name`: TypeScript is stripped, JSON becomes a module
/// whose default export is the parsed value.
pub fn to_javascript(ctx: &Ctx<'_>, name: &str, source: String) -> Result<String> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "json" => Ok(format!("export default JSON.parse({});", js_string_literal(&source))),
        "js" | "mjs" | "cjs" => Ok(source),
        // TypeScript is the default: files without an extension and `-e` code may use types.
        _ => strip::strip_types(name, source).map_err(|errors| {
            let first = &errors[0];
            let mut message = first.message.clone();
            if message.contains("not supported in strip-only mode") {
                message.push_str(
                    ". Uringy runs TypeScript by erasing types, as Node does; enum, namespace and \
                     constructor parameter properties would need code generation (use a const \
                     object, a module, or explicit fields instead)",
                );
            }
            for more in &errors[1..] {
                message.push_str(&format!("\n  also: {} ({}:{}:{})", more.message, name, more.line, more.column));
            }
            let error = errors::syntax_error(ctx, &message);
            locate_pending(ctx, name, first.line, first.column);
            error
        }),
    }
}

/// Compiles `code` as the module `name`. The engine's parser reports code nested too deeply
/// for it as a bare "Maximum call stack size exceeded", with no position: the error then
/// names the file.
pub fn declare<'js>(ctx: &Ctx<'js>, name: &str, code: String) -> Result<Module<'js, Declared>> {
    Module::declare(ctx.clone(), name, code).map_err(|e| {
        let error = ctx.catch();
        if error.is_undefined() {
            return e;
        }
        let overflow = error.as_object().is_some_and(|o| {
            o.get::<_, String>("name").is_ok_and(|n| n == "RangeError")
                && o.get::<_, String>("stack").unwrap_or_default().trim().is_empty()
        });
        if let (true, Some(object)) = (overflow, error.as_object()) {
            let message: String = object.get("message").unwrap_or_default();
            let _ = object.set("message", format!("{message}: {name} is nested too deeply to compile"));
            let hidden = |key: &str, text: &str| {
                if let Ok(text) = rquickjs::String::from_str(ctx.clone(), text) {
                    let _ = object.prop(key, Property::from(text).writable().configurable());
                }
            };
            hidden("stack", &format!("    at {name}\n"));
            hidden("fileName", name);
        }
        ctx.throw(error)
    })
}

pub fn file_url(path: &str) -> String {
    url::Url::from_file_path(path).map(String::from).unwrap_or_else(|_| path.to_owned())
}

fn js_string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Gives the pending exception the position `file:line:column`, as the engine's own syntax
/// errors have, so that it is reported with the offending line.
fn locate_pending(ctx: &Ctx<'_>, file: &str, line: usize, column: usize) {
    let error = ctx.catch();
    if let Some(object) = error.as_object() {
        locate(ctx, object, file, line, column);
    }
    ctx.throw(error);
}

/// Gives `error` the position `file:line:column` (1-based), as its stack and as the
/// `fileName`, `lineNumber` and `columnNumber` the report reads.
pub fn locate<'js>(ctx: &Ctx<'js>, error: &Object<'js>, file: &str, line: usize, column: usize) {
    let hidden = |key: &str, value: Value<'js>| {
        let _ = error.prop(key, Property::from(value).writable().configurable());
    };
    let string = |text: &str| rquickjs::String::from_str(ctx.clone(), text).map(|s| s.into_value());
    if let (Ok(stack), Ok(file)) = (string(&format!("    at {file}:{line}:{column}\n")), string(file)) {
        hidden("stack", stack);
        hidden("fileName", file);
        hidden("lineNumber", Value::new_number(ctx.clone(), line as f64));
        hidden("columnNumber", Value::new_number(ctx.clone(), column as f64));
    }
}

/// Where `base` imports `specifier`: the first line that quotes it (1-based line and column).
fn import_position(ctx: &Ctx<'_>, base: &str, specifier: &str) -> Option<(usize, usize)> {
    let source = source_of(ctx, base)?;
    source.lines().enumerate().find_map(|(i, line)| {
        ['"', '\''].iter().find_map(|q| line.find(&format!("{q}{specifier}{q}"))).map(|col| (i + 1, col + 1))
    })
}

/// Throws an `Error` with `code`, returning the rquickjs error that says one is pending.
fn throw_with_code(ctx: &Ctx<'_>, message: &str, code: &str) -> Error {
    match Exception::from_message(ctx.clone(), message) {
        Ok(err) => {
            let _ = err.set("code", code);
            err.throw()
        }
        Err(e) => e,
    }
}
