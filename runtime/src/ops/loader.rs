//! Loading standard-library modules on demand, so start-up loads only what a program uses.

use rquickjs::{promise::PromiseState, Ctx, Exception, Object, Result, Value};

use super::Ops;
use crate::loader::{builtin_namespace, import_as_host};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_loader_require", op_loader_require)
}

/// The namespace of the built-in module `name`, loaded and evaluated now. quickjs evaluates a
/// module without top-level await before `import` returns (only the promise it returns
/// settles later), and built-in modules have none.
fn op_loader_require<'js>(ctx: Ctx<'js>, name: String) -> Result<Object<'js>> {
    let promise = import_as_host(&ctx, &name)?;
    if promise.state() == PromiseState::Rejected {
        let _ = promise.result::<Value>();
        let reason = ctx.catch();
        return Err(ctx.throw(reason));
    }
    builtin_namespace(&ctx, &name)
        .ok_or_else(|| Exception::throw_internal(&ctx, &format!("built-in module {name} was not loaded")))
}
