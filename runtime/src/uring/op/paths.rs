//! Operations on paths, relative to a directory (a runtime's working directory, or none:
//! `AT_FDCWD`): `openat(2)`, `unlinkat(2)`, `renameat(2)`, `mkdirat(2)`, `symlinkat(2)`.

use std::{ffi::CString, os::fd::RawFd, rc::Rc};

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::fd::{Fd, InUse};

/// The directory relative paths start from, kept open while the operation is in flight.
pub struct Dir(Option<InUse>);

impl Dir {
    /// `dir`, or the process's working directory.
    pub fn new(dir: Option<&Rc<Fd>>) -> Dir {
        Dir(dir.and_then(Fd::for_op))
    }

    pub fn raw(&self) -> RawFd {
        self.0.as_ref().map_or(libc::AT_FDCWD, InUse::raw)
    }
}

pub struct OpenAt {
    dir: Dir,
    path: CString,
    flags: i32,
    mode: u32,
}

impl OpenAt {
    /// `open(path, flags | O_CLOEXEC, mode)`.
    pub fn new(dir: Dir, path: CString, flags: i32, mode: u32) -> OpenAt {
        OpenAt { dir, path, flags: flags | libc::O_CLOEXEC, mode }
    }
}

// SAFETY: the path points into the operation's own `CString` (heap memory).
unsafe impl Operation for OpenAt {
    fn entry(&mut self) -> squeue::Entry {
        opcode::OpenAt::new(Target(self.dir.raw()), self.path.as_ptr()).flags(self.flags).mode(self.mode).build()
    }
}

pub struct UnlinkAt {
    dir: Dir,
    path: CString,
    flags: i32,
}

impl UnlinkAt {
    /// Removes a file, or (with `AT_REMOVEDIR` in `flags`) an empty directory.
    pub fn new(dir: Dir, path: CString, flags: i32) -> UnlinkAt {
        UnlinkAt { dir, path, flags }
    }
}

// SAFETY: the path points into the operation's own `CString`.
unsafe impl Operation for UnlinkAt {
    fn entry(&mut self) -> squeue::Entry {
        opcode::UnlinkAt::new(Target(self.dir.raw()), self.path.as_ptr()).flags(self.flags).build()
    }
}

pub struct RenameAt {
    dir: Dir,
    from: CString,
    to: CString,
}

impl RenameAt {
    pub fn new(dir: Dir, from: CString, to: CString) -> RenameAt {
        RenameAt { dir, from, to }
    }
}

// SAFETY: both paths point into the operation's own `CString`s.
unsafe impl Operation for RenameAt {
    fn entry(&mut self) -> squeue::Entry {
        let dir = Target(self.dir.raw());
        opcode::RenameAt::new(dir, self.from.as_ptr(), dir, self.to.as_ptr()).build()
    }
}

pub struct MkDirAt {
    dir: Dir,
    path: CString,
    mode: u32,
}

impl MkDirAt {
    pub fn new(dir: Dir, path: CString, mode: u32) -> MkDirAt {
        MkDirAt { dir, path, mode }
    }
}

// SAFETY: the path points into the operation's own `CString`.
unsafe impl Operation for MkDirAt {
    fn entry(&mut self) -> squeue::Entry {
        opcode::MkDirAt::new(Target(self.dir.raw()), self.path.as_ptr()).mode(self.mode).build()
    }
}

pub struct SymlinkAt {
    dir: Dir,
    target: CString,
    path: CString,
}

impl SymlinkAt {
    /// Makes `path` a symbolic link to `target` (which need not exist).
    pub fn new(dir: Dir, target: CString, path: CString) -> SymlinkAt {
        SymlinkAt { dir, target, path }
    }
}

// SAFETY: both paths point into the operation's own `CString`s.
unsafe impl Operation for SymlinkAt {
    fn entry(&mut self) -> squeue::Entry {
        opcode::SymlinkAt::new(Target(self.dir.raw()), self.target.as_ptr(), self.path.as_ptr()).build()
    }
}
