//! `read(2)`, or `pread(2)` at an offset: files, pipes, terminals.

use std::rc::Rc;

use io_uring::{opcode, squeue, types::Fd as Target};

use super::{Completion, Operation};
use crate::uring::fd::{Fd, InUse};

/// The offset for "the descriptor's current position" (pipes and terminals have no other).
pub const CURRENT: u64 = u64::MAX;

pub struct Read {
    fd: InUse,
    /// Read into the spare capacity after its length.
    buf: Vec<u8>,
    len: u32,
    offset: u64,
}

impl Read {
    /// At most `len` bytes at `offset` ([`CURRENT`]: the position), appended to `buf` (whose
    /// capacity the caller reserved); `None` if the descriptor is closed.
    pub fn new(fd: &Rc<Fd>, buf: Vec<u8>, len: usize, offset: u64) -> Option<Read> {
        let len = len.min(buf.capacity() - buf.len()).min(u32::MAX as usize) as u32;
        Some(Read { fd: fd.for_op()?, buf, len, offset })
    }

    /// The buffer, with what a read that completed with `done.result` bytes appended.
    pub fn into_buf(mut self, done: Completion) -> Vec<u8> {
        if done.result > 0 {
            let n = (done.result as usize).min(self.len as usize);
            // SAFETY: the kernel wrote `n` bytes after the initialised part.
            unsafe { self.buf.set_len(self.buf.len() + n) };
        }
        self.buf
    }
}

// SAFETY: the entry points into the vector's spare capacity (`len` bytes of it), owned by the
// operation and not touched until it is given back.
unsafe impl Operation for Read {
    fn entry(&mut self) -> squeue::Entry {
        let at = self.buf.len();
        // SAFETY: `at` is within the allocation (it is the length).
        let ptr = unsafe { self.buf.as_mut_ptr().add(at) };
        opcode::Read::new(Target(self.fd.raw()), ptr, self.len).offset(self.offset).build()
    }
}
