//! Native ops: the thin layer of Rust under the TypeScript standard library, in safe code over
//! the scheduler, the IO core and the engine boundary.
//!
//! They are exported as one object, the default export of the internal module `uringy:ops`,
//! which only `lib/` can import. Ops are named `op_<area>_<verb>` so that grep finds both
//! sides; each area registers its own in its file.

mod crypto;
mod dns;
mod fiber;
mod fs;
mod io;
mod loader;
mod net;
mod process;
mod test;
mod text;
pub mod thread;
mod time;
mod url;
mod util;

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use rquickjs::{
    function::IntoJsFunc,
    module::{Declarations, Declared, Exports, ModuleDef},
    Ctx, Function, Module, Object, Result,
};

use crate::js::{raw_op, userdata};

/// What ops know of the runtime they serve, set by the engine before the standard library
/// loads.
pub struct State {
    /// `process.argv`.
    pub argv: Vec<String>,
    /// `performance.timeOrigin`, and the instant `performance.now()` counts from.
    pub origin: Instant,
    pub origin_epoch_ms: f64,
    /// While a test runs: when the interrupt handler stops runaway synchronous code.
    pub deadline: Rc<Cell<Option<Instant>>>,
    /// The runtime's working directory (`process.chdir` changes only this runtime's).
    pub cwd: process::cwd::Shared,
    /// Who waits for and listens to signals in this runtime.
    pub signals: process::signal::Shared,
    /// This runtime's place among the threads, and its messages.
    pub thread: thread::Shared,
}

impl State {
    pub fn new(argv: Vec<String>, deadline: Rc<Cell<Option<Instant>>>, seat: Option<thread::Seat>) -> State {
        let origin_epoch_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
        State {
            argv,
            origin: Instant::now(),
            origin_epoch_ms,
            deadline,
            cwd: RefCell::new(process::cwd::Cwd::of_process()),
            signals: Rc::default(),
            thread: thread::Inbox::new(seat),
        }
    }
}

/// Declares `uringy:ops` (the loader's native module).
pub fn declare<'js>(ctx: &Ctx<'js>, name: &str) -> Result<Module<'js, Declared>> {
    Module::declare_def::<OpsModule, _>(ctx.clone(), name)
}

struct OpsModule;

impl ModuleDef for OpsModule {
    fn declare(decl: &Declarations<'_>) -> Result<()> {
        decl.declare("default")?;
        Ok(())
    }

    fn evaluate<'js>(ctx: &Ctx<'js>, exports: &Exports<'js>) -> Result<()> {
        let ops = Ops { ctx: ctx.clone(), object: Object::new(ctx.clone())? };
        let state = userdata::with::<State, _>(ctx, |state| {
            (state.argv.clone(), state.origin, state.origin_epoch_ms, state.deadline.clone())
        })
        .ok_or_else(|| crate::js::errors::internal_error(ctx, "the ops' state was not set"))?;
        let (argv, origin, origin_epoch_ms, deadline) = state;
        crypto::register(&ops)?;
        dns::register(&ops)?;
        fiber::register(&ops)?;
        fs::register(&ops)?;
        io::register(&ops)?;
        loader::register(&ops)?;
        net::register(&ops)?;
        process::register(&ops, argv)?;
        test::register(&ops, deadline)?;
        text::register(&ops)?;
        thread::register(&ops)?;
        time::register(&ops, origin, origin_epoch_ms)?;
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
    /// Registers a raw op ([`raw_op`]): for ops whose frames sit under a waiting fiber.
    pub fn add_raw<O: raw_op::RawOp>(&self) -> Result<()> {
        raw_op::add::<O>(&self.ctx, &self.object)
    }

    pub fn add<F, P>(&self, name: &str, f: F) -> Result<()>
    where
        F: IntoJsFunc<'js, P> + 'js,
    {
        self.object.set(name, Function::new(self.ctx.clone(), f)?.with_name(name)?)
    }
}
