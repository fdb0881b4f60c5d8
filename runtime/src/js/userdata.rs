//! Per-runtime state kept in the context's user data, where any code holding a `Ctx` finds it.
//! The engine's user data wants types that declare how they depend on the engine's lifetime;
//! [`Data`] wraps state that holds no engine references, which makes that declaration sound.

use rquickjs::{Ctx, JsLifetime};

/// State of type `T` stored in a context.
pub struct Data<T>(pub T);

// SAFETY: `T: 'static` holds no `'js` references (persistent handles are `'static`), so the
// state is the same type whatever the engine's lifetime.
unsafe impl<'js, T: 'static> JsLifetime<'js> for Data<T> {
    type Changed<'to> = Data<T>;
}

/// Stores `value` in `ctx` (replacing what was stored under its type); false if the engine
/// refused (its user data is borrowed).
pub fn store<T: 'static>(ctx: &Ctx<'_>, value: T) -> bool {
    ctx.store_userdata(Data(value)).is_ok()
}

/// The `T` stored in `ctx`, through `f`.
pub fn with<T: 'static, R>(ctx: &Ctx<'_>, f: impl FnOnce(&T) -> R) -> Option<R> {
    ctx.userdata::<Data<T>>().map(|data| f(&data.0))
}

/// Takes the `T` out of `ctx` (before the runtime is torn down: it may hold engine values).
pub fn remove<T: 'static>(ctx: &Ctx<'_>) -> Option<T> {
    ctx.remove_userdata::<Data<T>>().ok().flatten().map(|data| data.0)
}
