//! Loading standard-library modules on demand, so start-up loads only what a program uses.

use rquickjs::{Ctx, Object, Result};

use super::Ops;
use crate::loader::require_builtin;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_loader_require", op_loader_require)
}

/// The namespace of the built-in module `name`, loaded and evaluated now.
fn op_loader_require<'js>(ctx: Ctx<'js>, name: String) -> Result<Object<'js>> {
    require_builtin(&ctx, &name)
}
