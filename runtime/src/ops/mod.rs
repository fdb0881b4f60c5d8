//! Native ops: the thin layer of Rust under the TypeScript standard library.
//!
//! They are exported as one object, the default export of the internal module `uringy:ops`,
//! which only `lib/` can import. Ops are named `op_<area>_<verb>` so that grep finds both
//! sides; each area registers its own in its file.

mod crypto;
mod fiber;
mod io;
mod loader;
mod process;
mod test;
mod text;
mod time;
mod url;
mod util;

use rquickjs::{
    function::IntoJsFunc,
    module::{Declarations, Exports, ModuleDef},
    Ctx, Function, Object, Result,
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
        io::register(&ops)?;
        loader::register(&ops)?;
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

impl<'js> Ops<'js> {
    pub fn add<F, P>(&self, name: &str, f: F) -> Result<()>
    where
        F: IntoJsFunc<'js, P> + 'js,
    {
        self.object.set(name, Function::new(self.ctx.clone(), f)?.with_name(name)?)
    }
}
