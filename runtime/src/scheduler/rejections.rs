//! Errors that would otherwise be lost (API.md rule 7): promises rejected with no handler, and
//! values other than errors thrown out of a fiber (which carry no stack, so the report needs
//! to be told where they came from).
//!
//! The engine tells the host when a promise is rejected with no handler, and again if a handler
//! is attached later. Each rejection records the tasks it happened under — the innermost scope
//! or fiber, then its ancestors. Once promise jobs have drained after a fiber ran, what is still
//! unhandled fails the first of those tasks still alive, as an error thrown there would; a fiber
//! or scope that ends while such a rejection is pending waits for the report (`Wait::Drain`).

use rquickjs::{Ctx, Function, Persistent, Value};

use super::{task::TaskId, with, Saved, Scheduler};

/// A promise rejected with no handler, not yet reported.
pub struct Rejection {
    promise: Saved,
    reason: Saved,
    /// Where it was rejected: the innermost scope or fiber of the code that ran, then the tasks
    /// above it up to the root.
    owners: Vec<TaskId>,
}

/// A value with no stack, thrown out of the function at `file:line:column` (1-based).
pub struct Thrown {
    pub value: Saved,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// The engine's rejection tracker.
pub fn track_rejection<'js>(ctx: Ctx<'js>, promise: Value<'js>, reason: Value<'js>, handled: bool) {
    if handled {
        forget_rejection(&ctx, &promise);
        return;
    }
    let rejection =
        |owners| Rejection { promise: Persistent::save(&ctx, promise), reason: Persistent::save(&ctx, reason), owners };
    with(|s| {
        let owners = s.owners();
        s.rejections.push(rejection(owners));
    });
}

/// `promise` has a handler now, or its rejection was taken by the runtime itself (the main
/// module's, a failed built-in module's).
pub fn forget_rejection<'js>(ctx: &Ctx<'js>, promise: &Value<'js>) {
    with(|s| s.rejections.retain(|r| r.promise.clone().restore(ctx).map_or(true, |p| p != *promise)));
}

/// Whether a rejection not reported yet happened in fiber (or scope) `id`, or below it.
pub fn rejection_below(id: TaskId) -> bool {
    with(|s| s.rejections.iter().any(|r| r.owners.contains(&id)))
}

impl Scheduler {
    /// Where code running now is: its innermost scope or fiber, then every task above it up to
    /// the root (promise jobs belong to the root).
    fn owners(&self) -> Vec<TaskId> {
        let mut owners = Vec::new();
        let mut at = self.spawn_parent();
        while let Some(id) = at {
            owners.push(id);
            at = self.tasks.get(id).and_then(|t| t.parent);
        }
        owners
    }

    /// Reports the rejections still unhandled now that promise jobs have run: each fails the
    /// first task still alive where it happened (its fiber or scope, else what is above it).
    /// Fibers that waited for this (`Wait::Drain`) go on.
    /// Whether no promise job is left to run, no main module's promise to settle and no
    /// rejection to report: what [`super::fibers`] checks after each fiber before doing any.
    pub(super) fn settled(&self) -> bool {
        (self.root_end.is_some() || !self.engine.jobs_pending())
            && self.main_promise.is_none()
            && self.rejections.is_empty()
            && self.draining.is_empty()
    }

    pub(super) fn report_rejections(&mut self) {
        if self.rejections.is_empty() && self.draining.is_empty() {
            return;
        }
        for rejection in std::mem::take(&mut self.rejections) {
            let owner = rejection.owners.iter().copied().find(|owner| self.exists(*owner));
            match owner {
                Some(owner) if Some(owner) != self.root => self.fail_task(owner, rejection.reason),
                _ => self.fail_root(rejection.reason, true),
            }
        }
        for id in std::mem::take(&mut self.draining) {
            self.wake(id, super::Resume::Normal);
        }
    }

    /// `id` (a fiber or a scope) fails with `error`, as if a child of it had failed (rule 7):
    /// it is cancelled, and ends failed once everything in it is done.
    fn fail_task(&mut self, id: TaskId, error: Saved) {
        if let Some(task) = self.tasks.get_mut(id) {
            task.failures.push(error);
            self.cancel(id);
        }
    }
}

/// Remembers which function threw `error` when it is not an error object (it has no stack),
/// so that the report can say where (`throw "a string"`).
#[cold]
#[inline(never)]
pub(super) fn thrown_by<'js>(ctx: &Ctx<'js>, error: &Value<'js>, function: &Function<'js>) {
    if error.as_object().is_some_and(|o| o.contains_key("stack").unwrap_or(false)) {
        return;
    }
    let place = (
        function.get::<_, String>("fileName"),
        function.get::<_, u32>("lineNumber"),
        function.get::<_, u32>("columnNumber"),
    );
    ctx.catch();
    if let (Ok(file), Ok(line), Ok(column)) = place {
        let thrown = Thrown { value: Persistent::save(ctx, error.clone()), file, line, column };
        with(|s| s.thrown.push(thrown));
    }
}
