//! The provided-buffer ring that receives read into: the kernel picks a buffer only when data
//! arrives, so a connection waiting for data holds no buffer at all (idle connections must be
//! cheap). A buffer the kernel filled comes back as a [`Provided`] guard, which returns it to
//! the ring when dropped — once its bytes have been copied out or sent.

use std::{
    cell::Cell,
    io, ptr,
    rc::Rc,
    sync::atomic::{AtomicU16, Ordering},
};

use io_uring::{cqueue, types::BufRingEntry, IoUring};

/// The buffer group receives name in their submission.
pub const GROUP: u16 = 0;
const ENTRIES: u16 = 512;
pub const SIZE: usize = 16 * 1024;
const RING_BYTES: usize = ENTRIES as usize * std::mem::size_of::<BufRingEntry>();
const MEMORY_BYTES: usize = ENTRIES as usize * SIZE;

/// The buffers and the ring of entries that offers them to the kernel. Shared (`Rc`) by the
/// io_uring ring and every [`Provided`] guard, so its memory outlives both.
pub struct Buffers {
    ring: *mut BufRingEntry,
    memory: *mut u8,
    tail: Cell<u16>,
}

impl Buffers {
    /// Registers the ring with the kernel (Linux 5.19+); `None` where that is not supported, and
    /// receives then use buffers of their own.
    pub fn new(uring: &IoUring) -> Option<Rc<Buffers>> {
        let ring = map(RING_BYTES).ok()?.cast::<BufRingEntry>();
        let Ok(memory) = map(MEMORY_BYTES) else {
            unmap(ring.cast(), RING_BYTES);
            return None;
        };
        // SAFETY: `ring` is a page-aligned mapping of ENTRIES entries, which stays mapped until
        // after the kernel lets go of it (the io_uring ring unregisters it before it closes).
        if unsafe { uring.submitter().register_buf_ring_with_flags(ring as u64, ENTRIES, GROUP, 0) }.is_err() {
            unmap(ring.cast(), RING_BYTES);
            unmap(memory, MEMORY_BYTES);
            return None;
        }
        let buffers = Buffers { ring, memory, tail: Cell::new(0) };
        for bid in 0..ENTRIES {
            buffers.push(bid);
        }
        buffers.publish();
        Some(Rc::new(buffers))
    }

    /// The buffer a receive's completion brought (its flags name it), with its `len` bytes.
    pub fn arrived(self: &Rc<Self>, flags: u32, len: usize) -> Option<Provided> {
        let bid = cqueue::buffer_select(flags).filter(|bid| *bid < ENTRIES)?;
        Some(Provided { buffers: self.clone(), bid, len: len.min(SIZE) })
    }

    /// Stops the kernel from using the ring; called by the io_uring ring before it closes, once
    /// nothing is in flight. Buffers still lent out come back harmlessly afterwards.
    pub(crate) fn unregister(&self, uring: &IoUring) {
        let _ = uring.submitter().unregister_buf_ring(GROUP);
    }

    fn push(&self, bid: u16) {
        let tail = self.tail.get();
        let index = (tail & (ENTRIES - 1)) as usize;
        // SAFETY: an entry of the ring; the kernel reads entries only below the published
        // tail, and the buffer's address lies inside the buffers' mapping.
        unsafe {
            let entry = &mut *self.ring.add(index);
            entry.set_addr(self.memory.add(bid as usize * SIZE) as u64);
            entry.set_len(SIZE as u32);
            entry.set_bid(bid);
        }
        self.tail.set(tail.wrapping_add(1));
    }

    fn publish(&self) {
        // SAFETY: the tail field shares memory with the first entry's reserved field, which the
        // kernel reads; it is written atomically, after the entries it publishes.
        unsafe {
            let tail = BufRingEntry::tail(self.ring).cast_mut().cast::<AtomicU16>();
            (*tail).store(self.tail.get(), Ordering::Release);
        }
    }
}

impl Drop for Buffers {
    fn drop(&mut self) {
        unmap(self.ring.cast(), RING_BYTES);
        unmap(self.memory, MEMORY_BYTES);
    }
}

/// A provided buffer the kernel filled, lent to whoever reads its bytes; it goes back to the
/// kernel when dropped.
pub struct Provided {
    buffers: Rc<Buffers>,
    bid: u16,
    len: usize,
}

impl Provided {
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: inside the mapping; the kernel wrote these bytes and does not touch the buffer
        // again until this guard gives it back.
        unsafe { std::slice::from_raw_parts(self.buffers.memory.add(self.bid as usize * SIZE), self.len) }
    }
}

impl Drop for Provided {
    fn drop(&mut self) {
        self.buffers.push(self.bid);
        self.buffers.publish();
    }
}

fn map(len: usize) -> io::Result<*mut u8> {
    // SAFETY: a new anonymous mapping.
    let memory = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if memory == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(memory.cast())
}

fn unmap(memory: *mut u8, len: usize) {
    // SAFETY: a mapping made by `map` with this length, which nothing uses any more.
    unsafe { libc::munmap(memory.cast(), len) };
}
