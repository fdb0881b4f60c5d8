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

use std::{cell::RefCell, collections::HashMap, path::Path, rc::Rc};

use rquickjs::{
    loader::{ImportAttributes, Loader, Resolver},
    module::Declared,
    object::Property,
    Ctx, Error, Exception, Module, Object, Result, Value,
};

use crate::{
    fiber::engine_state,
    js::{
        errors,
        module::{self, Bytecode, ModuleRef},
        promise::settled,
        userdata,
    },
    scheduler,
};

/// A module made by native code (`uringy:ops`), declared when first imported.
pub type NativeModule = for<'js> fn(&Ctx<'js>, &str) -> Result<Module<'js, Declared>>;

/// `importer` imports `specifier`, which named the module `resolved`.
pub struct Import {
    pub importer: String,
    pub specifier: String,
    pub resolved: String,
}

/// The loader's state for one runtime, kept in the context's user data.
pub struct State {
    /// The module `import.meta.main` is true for.
    main: String,
    internals: resolve::Internals,
    natives: Vec<(&'static str, NativeModule)>,
    /// Standard-library modules by name, as the engine read them, so that
    /// [`require_builtin`] can reach a namespace without waiting for a promise job.
    builtins: RefCell<HashMap<String, ModuleRef>>,
    /// Every import of user code resolved so far, to tell which import a link error is about.
    pub imports: RefCell<Vec<Import>>,
    /// The source of `-e` code, by its module name (it is in no file).
    eval_source: RefCell<Option<(String, String)>>,
}

impl State {
    pub fn new(main: &str, internals: resolve::Internals, natives: Vec<(&'static str, NativeModule)>) -> State {
        State {
            main: main.to_owned(),
            internals,
            natives,
            builtins: RefCell::default(),
            imports: RefCell::default(),
            eval_source: RefCell::default(),
        }
    }
}

/// The loader's state once installed in a runtime, for [`attach`].
pub struct Installed(Rc<State>);

/// Makes `rt` load modules with `state` (outside any `Context::with`, which holds the
/// runtime); then [`attach`] it to the context.
pub fn install(rt: &rquickjs::Runtime, state: State) -> Installed {
    let state = Rc::new(state);
    rt.set_loader(ModuleLoader(state.clone()), ModuleLoader(state.clone()));
    Installed(state)
}

/// Lets code holding `ctx` reach the loader's state; false if the engine refused.
pub fn attach(ctx: &Ctx<'_>, installed: Installed) -> bool {
    userdata::store(ctx, installed.0)
}

/// The loader's state, through `f`.
fn with_state<R>(ctx: &Ctx<'_>, f: impl FnOnce(&State) -> R) -> Option<R> {
    userdata::with::<Rc<State>, R>(ctx, |state| f(state))
}

/// The `-e` code run as module `name`, for excerpts of its errors.
pub fn set_eval_source(ctx: &Ctx<'_>, name: &str, code: &str) {
    with_state(ctx, |state| *state.eval_source.borrow_mut() = Some((name.to_owned(), code.to_owned())));
}

/// The resolver and loader halves, which rquickjs wants as two objects.
struct ModuleLoader(Rc<State>);

impl Resolver for ModuleLoader {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        let resolved = resolve::resolve(base, name, self.0.internals).map_err(|e| {
            let error = throw_with_code(ctx, &e.0, "ERR_MODULE_NOT_FOUND");
            if let Some((line, column)) = import_position(ctx, base, name) {
                locate_pending(ctx, base, line, column);
            }
            error
        })?;
        if !base.starts_with("uringy:") {
            let import = Import { importer: base.to_owned(), specifier: name.to_owned(), resolved: resolved.clone() };
            self.0.imports.borrow_mut().push(import);
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
        if let Some((_, declare)) = self.0.natives.iter().find(|(native, _)| *native == name) {
            return declare(ctx, name);
        }
        if name.starts_with("uringy:") {
            return module::declare_bytecode::<Stdlib>(ctx, name);
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
        meta.set("main", self.0.main == name)?;
        Ok(module)
    }
}

/// The standard library, compiled to bytecode by build.rs.
struct Stdlib;

impl Bytecode for Stdlib {
    fn bytecode(name: &str) -> Option<&'static [u8]> {
        stdlib::bytecode(name)
    }

    /// Recorded so that [`require_builtin`] can find its namespace.
    fn read(ctx: &Ctx<'_>, name: &str, module: ModuleRef) {
        with_state(ctx, |state| state.builtins.borrow_mut().insert(name.to_owned(), module));
    }

    fn missing(ctx: &Ctx<'_>, name: &str) {
        throw_with_code(ctx, &format!("Cannot find module '{name}'"), "ERR_MODULE_NOT_FOUND");
    }
}

/// Stack a standard-library module needs to load and evaluate (and the modules it imports):
/// generous, since one that overflows is broken for good.
const LOAD_STACK: usize = 256 * 1024;

/// The namespace of the built-in module `name`, loaded and evaluated now. quickjs evaluates a
/// module without top-level await before `JS_LoadModule` returns (only the promise it returns
/// settles later, in a job), and built-in modules have none.
///
/// A module that fails while it is evaluated stays failed (the language says so), so one is
/// not evaluated with too little stack left: a global first touched deep in a recursion (a
/// lazily loaded `URL`) throws RangeError there and works when touched again higher up. Its
/// rejected evaluation promise is the caller's error, not an unhandled rejection.
pub fn require_builtin<'js>(ctx: &Ctx<'js>, name: &str) -> Result<Object<'js>> {
    let read = |state: &State| state.builtins.borrow().get(name).copied();
    let loaded = with_state(ctx, read).flatten();
    if loaded.is_none() && engine_state::stack_left(ctx) < LOAD_STACK {
        return Err(errors::range_error(ctx, "Maximum call stack size exceeded"));
    }
    let promise = module::import_as_host(ctx, name)?;
    if let Some(Err(reason)) = settled(ctx, &promise) {
        scheduler::forget_rejection(ctx, promise.as_value());
        return Err(ctx.throw(reason));
    }
    with_state(ctx, read)
        .flatten()
        .and_then(|module| module::namespace(ctx, module))
        .ok_or_else(|| errors::internal_error(ctx, &format!("built-in module {name} was not loaded")))
}

/// The source of user module `name`, as written (for error excerpts): its file, or the `-e`
/// code.
pub fn source_of(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    let eval = with_state(ctx, |state| {
        state.eval_source.borrow().as_ref().filter(|(eval, _)| eval == name).map(|(_, code)| code.clone())
    });
    eval.flatten().or_else(|| std::fs::read_to_string(name).ok())
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
