//! The provided-buffer ring receives read into: the kernel picks a buffer when data arrives,
//! so a connection waiting for data holds no buffer at all (DESIGN.md: idle connections must
//! be cheap). A buffer goes back to the ring as soon as its bytes are copied out.

use std::{
    io, ptr,
    sync::atomic::{AtomicU16, Ordering},
};

use io_uring::{types::BufRingEntry, IoUring};

/// The buffer group receives name in their submission.
pub const GROUP: u16 = 0;
const ENTRIES: u16 = 512;
pub const SIZE: usize = 16 * 1024;

pub struct Buffers {
    ring: *mut BufRingEntry,
    memory: *mut u8,
    tail: u16,
}

impl Buffers {
    /// Registers the ring with the kernel (Linux 5.19+); `None` where that is not supported, and
    /// receives then use buffers of their own.
    pub fn new(uring: &IoUring) -> Option<Buffers> {
        let ring_bytes = ENTRIES as usize * std::mem::size_of::<BufRingEntry>();
        let ring = map(ring_bytes).ok()?.cast::<BufRingEntry>();
        let memory = match map(ENTRIES as usize * SIZE) {
            Ok(memory) => memory,
            Err(_) => {
                // SAFETY: the mapping made just above.
                unsafe { libc::munmap(ring.cast(), ring_bytes) };
                return None;
            }
        };
        let mut buffers = Buffers { ring, memory, tail: 0 };
        // SAFETY: `ring` is a page-aligned mapping of ENTRIES entries that lives as long as the
        // thread's ring (both are never dropped before the process ends).
        if unsafe { uring.submitter().register_buf_ring_with_flags(ring as u64, ENTRIES, GROUP, 0) }.is_err() {
            // SAFETY: the mappings made above, which the kernel did not take.
            unsafe {
                libc::munmap(ring.cast(), ring_bytes);
                libc::munmap(memory.cast(), ENTRIES as usize * SIZE);
            }
            return None;
        }
        for bid in 0..ENTRIES {
            buffers.push(bid);
        }
        buffers.publish();
        Some(buffers)
    }

    /// The first `len` bytes the kernel wrote into buffer `bid`.
    pub fn get(&self, bid: u16, len: usize) -> &[u8] {
        let bid = bid.min(ENTRIES - 1) as usize;
        // SAFETY: inside the mapping; the kernel wrote these bytes and let go of the buffer.
        unsafe { std::slice::from_raw_parts(self.memory.add(bid * SIZE), len.min(SIZE)) }
    }

    /// Gives buffer `bid` back to the kernel.
    pub fn give_back(&mut self, bid: u16) {
        self.push(bid);
        self.publish();
    }

    fn push(&mut self, bid: u16) {
        let index = (self.tail & (ENTRIES - 1)) as usize;
        // SAFETY: an entry of the ring; the kernel reads entries only below the published tail.
        let entry = unsafe { &mut *self.ring.add(index) };
        // SAFETY: inside the buffers' mapping.
        entry.set_addr(unsafe { self.memory.add(bid as usize * SIZE) } as u64);
        entry.set_len(SIZE as u32);
        entry.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    fn publish(&self) {
        // SAFETY: the tail field shares memory with the first entry's reserved field, which the
        // kernel reads; it is written atomically, after the entries it publishes.
        unsafe {
            let tail = BufRingEntry::tail(self.ring).cast_mut().cast::<AtomicU16>();
            (*tail).store(self.tail, Ordering::Release);
        }
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
