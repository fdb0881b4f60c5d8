//! `statx(2)` of a path, or (`AT_EMPTY_PATH`) of an open file.

use std::{ffi::CString, rc::Rc};

use io_uring::{opcode, squeue, types};

use super::{Dir, Operation};
use crate::uring::fd::{Fd, InUse};

pub struct Statx {
    dir: Dir,
    /// The file itself when the path is empty.
    file: Option<InUse>,
    path: CString,
    flags: i32,
    buf: Box<libc::statx>,
}

impl Statx {
    /// Of `path` (of a final symlink itself with `nofollow`).
    pub fn path(dir: Dir, path: CString, nofollow: bool) -> Statx {
        let flags = if nofollow { libc::AT_SYMLINK_NOFOLLOW } else { 0 };
        Statx { dir, file: None, path, flags, buf: empty() }
    }

    /// Of the open file `file`; `None` if it is closed.
    pub fn file(file: &Rc<Fd>) -> Option<Statx> {
        let file = Some(file.for_op()?);
        Some(Statx { dir: Dir::new(None), file, path: CString::default(), flags: libc::AT_EMPTY_PATH, buf: empty() })
    }

    /// What the kernel filled in, once the operation completed with 0.
    pub fn buf(&self) -> &libc::statx {
        &self.buf
    }
}

fn empty() -> Box<libc::statx> {
    // SAFETY: all-zero is a valid statx buffer.
    Box::new(unsafe { std::mem::zeroed() })
}

// SAFETY: the path and the buffer point into the operation's own `CString` and box.
unsafe impl Operation for Statx {
    fn entry(&mut self) -> squeue::Entry {
        let dir = self.file.as_ref().map_or_else(|| self.dir.raw(), InUse::raw);
        let buf = &mut *self.buf as *mut libc::statx as *mut types::statx;
        opcode::Statx::new(types::Fd(dir), self.path.as_ptr(), buf)
            .flags(self.flags)
            .mask(libc::STATX_BASIC_STATS | libc::STATX_BTIME)
            .build()
    }
}
