//! Native functions the engine calls directly, like its own built-ins, without rquickjs's
//! argument glue: for ops whose frames sit under a suspended fiber, where every byte of stack
//! counts (a fiber's memory is the stack pages it touched), and for the hottest calls.
//!
//! An op is a type implementing [`RawOp`]; [`add`] registers it through a shim made for that
//! type, which turns the engine's calling convention into [`Args`] and the op's [`Return`]
//! back into an engine value. The op itself is safe code.

use std::{
    ffi::{c_int, CStr},
    ptr::NonNull,
};

use rquickjs::{qjs, Ctx, Object, Value};

/// A raw op: its name and number of arguments, and what it does.
pub trait RawOp {
    const NAME: &'static CStr;
    const LENGTH: c_int;
    fn call<'js>(args: Args<'_, 'js>) -> rquickjs::Result<Return>;
}

/// What a raw op returns; errors are thrown (`Err` with the exception pending).
pub enum Return {
    Undefined,
    Int(i32),
    Number(f64),
}

/// The arguments of one call, borrowed from the engine for its duration.
pub struct Args<'a, 'js> {
    pub ctx: Ctx<'js>,
    argv: &'a [qjs::JSValue],
}

impl<'js> Args<'_, 'js> {
    /// Argument `i` (undefined when missing).
    pub fn value(&self, i: usize) -> Value<'js> {
        match self.argv.get(i) {
            // SAFETY: a live argument of this call; the new reference is the `Value`'s.
            Some(&raw) => unsafe {
                Value::from_raw(self.ctx.clone(), qjs::JS_DupValue(self.ctx.as_raw().as_ptr(), raw))
            },
            None => Value::new_undefined(self.ctx.clone()),
        }
    }

    /// Argument `i` as a number, converted as `Number(x)` does (missing: NaN); `Err` with the
    /// exception pending if the conversion threw.
    pub fn number(&self, i: usize) -> rquickjs::Result<f64> {
        let Some(&raw) = self.argv.get(i) else { return Ok(f64::NAN) };
        let mut n = 0.0;
        // SAFETY: a live argument of this call, converted by the engine.
        if unsafe { qjs::JS_ToFloat64(self.ctx.as_raw().as_ptr(), &mut n, raw) } < 0 {
            return Err(rquickjs::Error::Exception);
        }
        Ok(n)
    }
}

/// Registers `O` on `object` under its name.
pub fn add<'js, O: RawOp>(ctx: &Ctx<'js>, object: &Object<'js>) -> rquickjs::Result<()> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: a new function value of this context, whose reference `Value` takes over; the shim
    // is a valid C function for the engine's generic calling convention.
    let function = unsafe {
        let value = qjs::JS_NewCFunction2(
            raw,
            Some(shim::<O>),
            O::NAME.as_ptr(),
            O::LENGTH,
            qjs::JSCFunctionEnum_JS_CFUNC_generic,
            0,
        );
        Value::from_raw(ctx.clone(), value)
    };
    object.set(O::NAME.to_str().unwrap_or_default(), function)
}

/// The engine's calling convention, around `O::call`.
unsafe extern "C" fn shim<O: RawOp>(
    ctx: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: the engine calls with a live context and `argc` live arguments at `argv`.
    let args = unsafe {
        let argv = match (argc > 0).then_some(()).and(NonNull::new(argv)) {
            Some(argv) => std::slice::from_raw_parts(argv.as_ptr(), argc as usize),
            None => &[],
        };
        Args { ctx: Ctx::from_raw(NonNull::new_unchecked(ctx)), argv }
    };
    match O::call(args) {
        Ok(Return::Undefined) => qjs::JS_UNDEFINED,
        Ok(Return::Int(n)) => qjs::JS_MKVAL(qjs::JS_TAG_INT, n),
        Ok(Return::Number(n)) => qjs::JS_NewFloat64(n),
        Err(_) => qjs::JS_EXCEPTION,
    }
}
