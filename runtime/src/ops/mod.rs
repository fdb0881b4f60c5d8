//! Native ops: the thin layer of Rust under the TypeScript standard library.
//!
//! They are exported as one object, the default export of the internal module `uringy:ops`,
//! which only `lib/` can import. Ops are named `op_<area>_<verb>` so that grep finds both
//! sides; each area registers its own in its file.

mod crypto;
mod descriptor;
pub mod errors;
mod fiber;
mod fs;
mod io;
mod loader;
mod net;
mod process;
mod raw;
mod test;
mod text;
mod time;
mod url;
mod util;

use std::ffi::{c_int, CStr};

use rquickjs::{
    function::IntoJsFunc,
    module::{Declarations, Exports, ModuleDef},
    qjs, Ctx, Function, Object, Result, Value,
};

pub struct OpsModule;

impl ModuleDef for OpsModule {
    fn declare(decl: &Declarations<'_>) -> Result<()> {
        decl.declare("default")?;
        Ok(())
    }

    fn evaluate<'js>(ctx: &Ctx<'js>, exports: &Exports<'js>) -> Result<()> {
        let ops = Ops { ctx: ctx.clone(), object: Object::new(ctx.clone())? };
        crypto::register(&ops)?;
        fiber::register(&ops)?;
        fs::register(&ops)?;
        io::register(&ops)?;
        loader::register(&ops)?;
        net::register(&ops)?;
        process::register(&ops)?;
        test::register(&ops)?;
        text::register(&ops)?;
        time::register(&ops)?;
        url::register(&ops)?;
        util::register(&ops)?;
        exports.export("default", ops.object)?;
        Ok(())
    }
}

/// The object ops are registered on.
pub struct Ops<'js> {
    pub ctx: Ctx<'js>,
    object: Object<'js>,
}

/// A native function the engine calls directly, like any built-in: no rquickjs argument glue.
/// Only for ops whose frames sit under a suspended fiber, where every byte of stack counts.
pub type RawOp = unsafe extern "C" fn(
    ctx: *mut qjs::JSContext,
    this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue;

impl<'js> Ops<'js> {
    /// Registers a raw op taking `length` arguments.
    pub fn add_raw(&self, name: &CStr, length: c_int, f: RawOp) -> Result<()> {
        let raw = self.ctx.as_raw().as_ptr();
        // SAFETY: a new function value of this context, whose reference `Value` takes over.
        let function = unsafe {
            let value =
                qjs::JS_NewCFunction2(raw, Some(f), name.as_ptr(), length, qjs::JSCFunctionEnum_JS_CFUNC_generic, 0);
            Value::from_raw(self.ctx.clone(), value)
        };
        self.object.set(name.to_str().unwrap_or_default(), function)
    }

    pub fn add<F, P>(&self, name: &str, f: F) -> Result<()>
    where
        F: IntoJsFunc<'js, P> + 'js,
    {
        self.object.set(name, Function::new(self.ctx.clone(), f)?.with_name(name)?)
    }
}
