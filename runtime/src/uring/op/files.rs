//! Operations on an open file as a whole: `fsync(2)` and `ftruncate(2)` (Linux 6.9+).

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::Operation;
use crate::uring::fd::{Fd, InUse};

pub struct Fsync {
    file: InUse,
}

impl Fsync {
    /// `None` if the file is closed.
    pub fn new(file: &Rc<Fd>) -> Option<Fsync> {
        Some(Fsync { file: file.for_op()? })
    }
}

// SAFETY: the entry points to no memory.
unsafe impl Operation for Fsync {
    fn entry(&mut self) -> squeue::Entry {
        opcode::Fsync::new(Target(self.file.raw())).build()
    }
}

pub struct Ftruncate {
    file: InUse,
    length: u64,
}

impl Ftruncate {
    /// `None` if the file is closed.
    pub fn new(file: &Rc<Fd>, length: u64) -> Option<Ftruncate> {
        Some(Ftruncate { file: file.for_op()?, length })
    }
}

// SAFETY: the entry points to no memory.
unsafe impl Operation for Ftruncate {
    fn entry(&mut self) -> squeue::Entry {
        opcode::Ftruncate::new(Target(self.file.raw()), self.length).build()
    }
}
