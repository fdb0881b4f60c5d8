//! `write(2)`, or `pwrite(2)` at an offset: files, pipes, terminals.

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::{Data, Operation};
use crate::uring::fd::{Fd, InUse};

pub struct Write {
    fd: InUse,
    data: Data,
    at: usize,
    offset: u64,
}

impl Write {
    /// Writes `data[at..]` at `offset` (`read::CURRENT`: the position); `None` if the
    /// descriptor is closed.
    pub fn new(fd: &Rc<Fd>, data: Data, at: usize, offset: u64) -> Option<Write> {
        let at = at.min(data.bytes().len());
        Some(Write { fd: fd.for_op()?, data, at, offset })
    }

    /// The data back, once the write completed.
    pub fn into_data(self) -> Data {
        self.data
    }
}

// SAFETY: the entry points into `data` (a vector or a provided buffer the operation owns).
unsafe impl Operation for Write {
    fn entry(&mut self) -> squeue::Entry {
        let bytes = &self.data.bytes()[self.at..];
        let len = bytes.len().min(u32::MAX as usize) as u32;
        opcode::Write::new(Target(self.fd.raw()), bytes.as_ptr(), len).offset(self.offset).build()
    }
}
