//! Objects and arrays made in one engine call each, for ops that return many of one shape (a
//! directory's entries): no property lookup per field, and no growing array.

use std::ffi::CStr;

use rquickjs::{qjs, Ctx, Result, Value};

/// The keys of objects of one shape, as the engine's atoms (freed when dropped).
pub struct Shape<'js> {
    ctx: Ctx<'js>,
    atoms: Vec<qjs::JSAtom>,
}

impl<'js> Shape<'js> {
    pub fn new(ctx: &Ctx<'js>, keys: &[&CStr]) -> Shape<'js> {
        let raw = ctx.as_raw().as_ptr();
        // SAFETY: atoms of this context, freed in `drop`.
        let atoms = keys.iter().map(|key| unsafe { qjs::JS_NewAtom(raw, key.as_ptr()) }).collect();
        Shape { ctx: ctx.clone(), atoms }
    }

    /// An object with `values` under the shape's keys, in order.
    pub fn make(&self, values: Vec<Value<'js>>) -> Result<Value<'js>> {
        assert_eq!(values.len(), self.atoms.len(), "one value per key");
        let raw = self.ctx.as_raw().as_ptr();
        let values = into_raw(values);
        // SAFETY: the engine takes the values (references of ours) and returns a new object.
        let object = unsafe { qjs::JS_NewObjectFrom(raw, values.len() as i32, self.atoms.as_ptr(), values.as_ptr()) };
        from_raw(&self.ctx, object)
    }
}

impl Drop for Shape<'_> {
    fn drop(&mut self) {
        let raw = self.ctx.as_raw().as_ptr();
        for atom in &self.atoms {
            // SAFETY: the atoms made in `new`.
            unsafe { qjs::JS_FreeAtom(raw, *atom) };
        }
    }
}

/// An array of `values`.
pub fn array<'js>(ctx: &Ctx<'js>, values: Vec<Value<'js>>) -> Result<Value<'js>> {
    let values = into_raw(values);
    // SAFETY: the engine takes the values (references of ours), freeing them if it fails.
    let array = unsafe { qjs::JS_NewArrayFrom(ctx.as_raw().as_ptr(), values.len() as i32, values.as_ptr()) };
    from_raw(ctx, array)
}

/// References to the values, for the engine to take over (each `Value` drops its own, and its
/// hold on the context, as usual).
fn into_raw(values: Vec<Value<'_>>) -> Vec<qjs::JSValue> {
    values.into_iter().map(|value| super::engine::into_raw(&value)).collect()
}

fn from_raw<'js>(ctx: &Ctx<'js>, value: qjs::JSValue) -> Result<Value<'js>> {
    // SAFETY: a new value of this context, whose reference the `Value` takes over (an
    // exception marker holds none).
    let value = unsafe { Value::from_raw(ctx.clone(), value) };
    if value.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(value)
}
