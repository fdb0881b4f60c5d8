//! Per-runtime state that native ops share, kept in the context's user data so that nothing
//! is process-global (`--threads N` will run one runtime per thread).

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use std::collections::HashMap;

use rquickjs::{qjs, Ctx, Function, JsLifetime, Persistent, Value};

use super::timers::Timers;
use crate::uring::Ring;

pub type Saved = Persistent<Value<'static>>;

pub struct Host {
    /// `process.argv`.
    pub argv: Vec<String>,
    /// `performance.timeOrigin`, and the instant `performance.now()` counts from.
    pub origin: Instant,
    pub origin_epoch_ms: f64,
    pub ring: RefCell<Ring>,
    pub timers: RefCell<Timers>,
    /// Rejected promises nobody has handled yet, with their reasons. Checked once microtasks
    /// have run: a handler attached in the same turn still counts.
    pub rejections: RefCell<Vec<(Saved, Saved)>>,
    /// An error thrown where no JS caller can receive it (a timer or microtask callback);
    /// it ends the program once the current job returns.
    pub uncaught: RefCell<Option<Saved>>,
    /// Formats uncaught errors the way `console.error` would; set by the bootstrap module.
    pub format_error: RefCell<Option<Persistent<Function<'static>>>>,
    /// Standard-library modules by name, as the loader loaded them, so that
    /// `op_loader_require` can reach a namespace without waiting for a promise job.
    pub builtins: RefCell<HashMap<String, std::ptr::NonNull<qjs::JSModuleDef>>>,
    /// While a test runs: when the interrupt handler stops runaway synchronous code.
    pub deadline: Rc<Cell<Option<Instant>>>,
}

// SAFETY: Host holds no `'js` references; persistent handles are `'static` by construction.
unsafe impl<'js> JsLifetime<'js> for Host {
    type Changed<'to> = Host;
}

impl Host {
    pub fn new(argv: Vec<String>, ring: Ring) -> Self {
        let origin_epoch_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
        Host {
            argv,
            origin: Instant::now(),
            origin_epoch_ms,
            ring: RefCell::new(ring),
            timers: RefCell::default(),
            rejections: RefCell::default(),
            uncaught: RefCell::default(),
            format_error: RefCell::default(),
            builtins: RefCell::default(),
            deadline: Rc::default(),
        }
    }

    /// Releases every engine value the host holds, before the engine is torn down.
    pub fn release(&self) {
        self.timers.borrow_mut().clear_all();
        self.rejections.borrow_mut().clear();
        self.uncaught.borrow_mut().take();
        self.format_error.borrow_mut().take();
    }

    /// Records an error no caller can receive; the first one wins and ends the program.
    pub fn set_uncaught<'js>(&self, ctx: &Ctx<'js>, error: Value<'js>) {
        let mut slot = self.uncaught.borrow_mut();
        if slot.is_none() {
            *slot = Some(Persistent::save(ctx, error));
        }
    }
}

/// The host of the runtime `ctx` belongs to.
pub fn host<'a>(ctx: &'a Ctx<'_>) -> rquickjs::runtime::UserDataGuard<'a, Host> {
    ctx.userdata::<Host>().expect("host installed before any JS runs")
}

/// A saved value, back in the engine (`undefined` if it cannot be restored).
pub fn restore<'js>(ctx: &Ctx<'js>, saved: Saved) -> Value<'js> {
    saved.restore(ctx).unwrap_or_else(|_| Value::new_undefined(ctx.clone()))
}
