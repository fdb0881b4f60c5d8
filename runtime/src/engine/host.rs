//! Per-runtime state that native ops share, kept in the context's user data so that nothing
//! is process-global (`--threads N` will run one runtime per thread).

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    rc::Rc,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use rquickjs::{qjs, Ctx, Function, JsLifetime, Persistent, Value};

use crate::scheduler::{task::TaskId, Scheduler};

pub type Saved = Persistent<Value<'static>>;

/// A promise rejected with no handler, not yet reported.
pub struct Rejection {
    pub promise: Saved,
    pub reason: Saved,
    /// Where it was rejected: the innermost scope or fiber of the code that ran, then the tasks
    /// above it up to the root. The first of them still alive when it is reported fails with it.
    pub owners: Vec<TaskId>,
}

pub struct Host {
    /// `process.argv`.
    pub argv: Vec<String>,
    /// `performance.timeOrigin`, and the instant `performance.now()` counts from.
    pub origin: Instant,
    pub origin_epoch_ms: f64,
    pub scheduler: RefCell<Scheduler>,
    /// Rejected promises nobody has handled yet. Reported once promise jobs have drained (a
    /// handler attached meanwhile still counts), by failing where they happened (rule 7).
    pub rejections: RefCell<Vec<Rejection>>,
    /// Formats uncaught errors the way `console.error` would; set by the bootstrap module.
    pub format_error: RefCell<Option<Persistent<Function<'static>>>>,
    /// Standard-library modules by name, as the loader loaded them, so that
    /// `op_loader_require` can reach a namespace without waiting for a promise job.
    pub builtins: RefCell<HashMap<String, std::ptr::NonNull<qjs::JSModuleDef>>>,
    /// While a test runs: when the interrupt handler stops runaway synchronous code.
    pub deadline: Rc<Cell<Option<Instant>>>,
    /// Every import of user code resolved so far, to tell which import a link error is about.
    pub imports: RefCell<Vec<Import>>,
    /// The source of `-e` code, by its module name (it is in no file).
    pub eval_source: RefCell<Option<(String, String)>>,
    /// Values other than errors that fibers' functions threw, and where those functions are.
    pub thrown: RefCell<Vec<Thrown>>,
}

/// A value with no stack, thrown out of the function at `file:line:column` (1-based).
pub struct Thrown {
    pub value: Saved,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// `importer` imports `specifier`, which named the module `resolved`.
pub struct Import {
    pub importer: String,
    pub specifier: String,
    pub resolved: String,
}

// SAFETY: Host holds no `'js` references; persistent handles are `'static` by construction.
unsafe impl<'js> JsLifetime<'js> for Host {
    type Changed<'to> = Host;
}

impl Host {
    pub fn new(argv: Vec<String>, scheduler: Scheduler, deadline: Rc<Cell<Option<Instant>>>) -> Self {
        let origin_epoch_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
        Host {
            argv,
            origin: Instant::now(),
            origin_epoch_ms,
            scheduler: RefCell::new(scheduler),
            rejections: RefCell::default(),
            format_error: RefCell::default(),
            builtins: RefCell::default(),
            deadline,
            imports: RefCell::default(),
            eval_source: RefCell::default(),
            thrown: RefCell::default(),
        }
    }

    /// Releases every engine value the host holds, before the engine is torn down.
    pub fn release(&self) {
        self.scheduler.borrow_mut().release();
        self.rejections.borrow_mut().clear();
        self.thrown.borrow_mut().clear();
        self.format_error.borrow_mut().take();
    }
}

/// quickjs tells the host when a promise is rejected with no handler, and again if a handler
/// is attached later; what is left once promise jobs have run is reported (scheduler).
pub fn track_rejection<'js>(ctx: Ctx<'js>, promise: Value<'js>, reason: Value<'js>, handled: bool) {
    let Some(host) = ctx.userdata::<Host>() else { return };
    if handled {
        forget_rejection(&ctx, &host, &promise);
        return;
    }
    // The scheduler is never borrowed while JS runs; were it, the root takes the rejection.
    let owners = host.scheduler.try_borrow().map(|s| s.owners()).unwrap_or_default();
    let rejection =
        Rejection { promise: Persistent::save(&ctx, promise), reason: Persistent::save(&ctx, reason), owners };
    host.rejections.borrow_mut().push(rejection);
}

/// `promise` has a handler now, or its rejection was taken by the host itself.
pub fn forget_rejection<'js>(ctx: &Ctx<'js>, host: &Host, promise: &Value<'js>) {
    let mut pending = host.rejections.borrow_mut();
    if !pending.is_empty() {
        pending.retain(|r| r.promise.clone().restore(ctx).map_or(true, |p| p != *promise));
    }
}

thread_local! {
    /// The host of this thread's runtime. A thread runs one runtime (`--threads N` runs one
    /// per thread), and ops reach the host on every call: a pointer is much cheaper than the
    /// engine's user-data map, which is where the host lives.
    static HOST: Cell<*const Host> = const { Cell::new(std::ptr::null()) };
}

/// Installs `host` as this thread's runtime's host, in `ctx`'s user data.
pub fn install(ctx: &Ctx<'_>, host: Host) -> bool {
    if ctx.store_userdata(host).is_err() {
        return false;
    }
    let stored = ctx.userdata::<Host>().map(|guard| &*guard as *const Host);
    HOST.with(|h| h.set(stored.unwrap_or(std::ptr::null())));
    stored.is_some()
}

/// Forgets this thread's host (its runtime is about to go).
pub fn uninstall() {
    HOST.with(|h| h.set(std::ptr::null()));
}

/// The host of the runtime `ctx` belongs to.
pub fn host<'a>(_ctx: &'a Ctx<'_>) -> &'a Host {
    let host = HOST.with(Cell::get);
    assert!(!host.is_null(), "host installed before any JS runs");
    // SAFETY: the host lives in the runtime's user data from `install` until `uninstall`,
    // which comes before the runtime is torn down; `ctx` proves the runtime is alive.
    unsafe { &*host }
}

/// A saved value, back in the engine (`undefined` if it cannot be restored).
pub fn restore<'js>(ctx: &Ctx<'js>, saved: Saved) -> Value<'js> {
    saved.restore(ctx).unwrap_or_else(|_| Value::new_undefined(ctx.clone()))
}
