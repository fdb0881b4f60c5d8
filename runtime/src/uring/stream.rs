//! The entries that read and write a descriptor as a stream, shared by `read`/`write` (which a
//! fiber waits for) and `copy` (which completions drive).

use std::{os::fd::RawFd, ptr};

use io_uring::{cqueue, opcode, squeue, types::Fd as Target};

use super::{buffers, fd::Fd, Completion, Keep};

/// The most one read asks for when it brings its own buffer: sockets when the provided
/// buffers run out, pipes and terminals, and `copy()` from a file.
pub const OWN_BUFFER: usize = 64 * 1024;
/// The most one read of a regular file asks for (`File.read` into a big array).
const FILE_READ: usize = 1024 * 1024;

/// Bytes that arrived: in a provided buffer (its id and length) or in the operation's own.
pub enum Arrived {
    Provided(u16, usize),
    Own(Vec<u8>),
}

/// A read of at most `len` bytes: into a provided buffer, the kernel's pick when data arrives
/// (`provided`), or into a buffer of `keep`'s, made here.
pub fn read(fd: &Fd, raw: RawFd, keep: &mut Keep, len: usize, provided: bool) -> squeue::Entry {
    if provided {
        let len = len.min(buffers::SIZE) as u32;
        return opcode::Recv::new(Target(raw), ptr::null_mut(), len)
            .buf_group(buffers::GROUP)
            .build()
            .flags(squeue::Flags::BUFFER_SELECT);
    }
    keep.buf = Vec::with_capacity(len.min(if fd.socket { OWN_BUFFER } else { FILE_READ }));
    let (ptr, len) = (keep.buf.as_mut_ptr(), keep.buf.capacity() as u32);
    if fd.socket {
        opcode::Recv::new(Target(raw), ptr, len).build()
    } else {
        opcode::Read::new(Target(raw), ptr, len).offset(u64::MAX).build()
    }
}

/// What a read that completed with `n ≥ 0` bytes brought.
pub fn arrived(done: Completion, mut keep: Keep) -> Arrived {
    let n = done.result.max(0) as usize;
    match cqueue::buffer_select(done.flags) {
        Some(bid) => Arrived::Provided(bid, n),
        None => {
            // SAFETY: the kernel wrote `n` bytes into the buffer's capacity.
            unsafe { keep.buf.set_len(n.min(keep.buf.capacity())) };
            Arrived::Own(keep.buf)
        }
    }
}

/// A write of `len` bytes at `ptr`. Sockets send with MSG_NOSIGNAL: a peer that went away is
/// an EPIPE error, not a signal.
pub fn write(fd: &Fd, raw: RawFd, ptr: *const u8, len: usize) -> squeue::Entry {
    let len = len.min(u32::MAX as usize) as u32;
    if fd.socket {
        opcode::Send::new(Target(raw), ptr, len).flags(libc::MSG_NOSIGNAL).build()
    } else {
        opcode::Write::new(Target(raw), ptr, len).offset(u64::MAX).build()
    }
}

/// Waits until a descriptor someone else set non-blocking (a terminal or pipe shared with
/// another process, which answers EAGAIN) is ready for `events`.
pub fn ready(raw: RawFd, events: i16) -> squeue::Entry {
    opcode::PollAdd::new(Target(raw), events as u32).build()
}
