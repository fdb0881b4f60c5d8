//! The runtime's working directory. `chdir(2)` would change the directory of every runtime in
//! the process under its feet (with `--threads`, one per thread), so `process.chdir` changes
//! only this runtime's: relative paths in its file operations are resolved against a
//! descriptor of that directory (the `*at` system calls), and `process.cwd()` names it.

use std::{cell::RefCell, ffi::CString, rc::Rc};

use rquickjs::{Ctx, Result};

use super::super::Ops;
use crate::{
    js::{
        errors::{throw_sys, Target},
        path::PathArg,
        userdata,
    },
    uring::{fd::Fd, op::Dir, sys},
};

/// A working directory: a descriptor of it (none: the process's own, which Uringy never
/// changes) and its absolute path.
pub struct Cwd {
    dir: Option<Rc<Fd>>,
    path: String,
}

impl Cwd {
    /// The process's working directory, as it is now.
    pub fn of_process() -> Cwd {
        let path = std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".into());
        Cwd { dir: None, path }
    }
}

/// The working directory lives in the ops' state (`ops::State`).
pub type Shared = RefCell<Cwd>;

fn with_cwd<R>(ctx: &Ctx<'_>, f: impl FnOnce(&Shared) -> R) -> Option<R> {
    userdata::with::<super::super::State, _>(ctx, |state| f(&state.cwd))
}

/// The directory relative paths start from, for an operation.
pub fn dir(ctx: &Ctx<'_>) -> Dir {
    with_cwd(ctx, |cwd| Dir::new(cwd.borrow().dir.as_ref())).unwrap_or_else(|| Dir::new(None))
}

/// `path` made absolute against the working directory (for calls that take no directory).
pub fn absolute(ctx: &Ctx<'_>, path: &CString) -> CString {
    if path.as_bytes().starts_with(b"/") {
        return path.clone();
    }
    let base = with_cwd(ctx, |cwd| cwd.borrow().path.clone()).unwrap_or_else(|| "/".into());
    let mut full = base.into_bytes();
    full.push(b'/');
    full.extend_from_slice(path.as_bytes());
    CString::new(full).unwrap_or_else(|_| path.clone())
}

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_process_cwd", op_process_cwd)?;
    ops.add("op_process_chdir", op_process_chdir)
}

fn op_process_cwd(ctx: Ctx<'_>) -> String {
    with_cwd(&ctx, |cwd| cwd.borrow().path.clone()).unwrap_or_else(|| "/".into())
}

/// Changes this runtime's working directory; the others' stay where they are.
fn op_process_chdir(ctx: Ctx<'_>, to: PathArg) -> Result<()> {
    let dir = dir(&ctx);
    let opened = sys::fs::open_dir(dir.raw(), &to.c).map(|raw| Fd::new(raw, false));
    let from = op_process_cwd(ctx.clone());
    let fd = opened.map_err(|errno| throw_sys(&ctx, errno, "chdir", Target::Paths(&from, &to.text)))?;
    // Its canonical name, as getcwd(3) gives it: what the kernel calls the directory opened.
    let link = CString::new(format!("/proc/self/fd/{}", fd.raw())).unwrap_or_default();
    let path = match sys::fs::real_path(&link) {
        Ok(path) => String::from_utf8_lossy(&path).into_owned(),
        Err(errno) => return Err(throw_sys(&ctx, errno, "chdir", Target::Paths(&from, &to.text))),
    };
    with_cwd(&ctx, |cwd| *cwd.borrow_mut() = Cwd { dir: Some(fd), path });
    Ok(())
}
