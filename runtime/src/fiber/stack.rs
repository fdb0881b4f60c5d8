//! Fiber stacks: carved out of large anonymous mappings, each with a guard page below it, and
//! pooled for reuse.
//!
//! A guard page per stack made with `mprotect` splits the mapping, costing two kernel mappings
//! per stack; with the default `vm.max_map_count` (65530) that caps a process near 32k fibers.
//! Linux 6.13's guard markers (`MADV_GUARD_INSTALL`) protect pages without splitting the
//! mapping, so a slab of stacks stays one mapping however many stacks it holds. Older kernels
//! fall back to `mprotect` guards, with that limit.

use std::{io, ptr::NonNull};

/// `MADV_GUARD_INSTALL` (Linux 6.13, include/uapi/asm-generic/mman-common.h).
const MADV_GUARD_INSTALL: libc::c_int = 102;
const PAGE: usize = 4096;
/// At most this many stacks per mapping, and at most [`SLAB_BYTES`] of address space.
const SLAB_STACKS: usize = 64;
const SLAB_BYTES: usize = 512 * 1024 * 1024;
/// The span of one page-table page: the page-table memory a fiber costs is one such page for
/// each span its touched pages (and its guard) fall in.
const PAGE_TABLE_SPAN: usize = 2 * 1024 * 1024;
/// Under a limit on address space (`ulimit -v`), stacks leave this much of it to the engine's
/// heap and the runtime's own allocations: running out is then an error `spawn` throws, not an
/// allocation of the runtime's that fails (which would end the process).
const HEADROOM: usize = 64 * 1024 * 1024;
/// A returned stack whose lowest used address lies deeper than this below its top has its
/// pages released before reuse; shallow stacks keep theirs, which is what makes reuse cheap.
const SHALLOW: usize = 32 * 1024;

/// One fiber stack: `[guard page][usable ...]`, growing down from `top`.
pub struct Stack {
    base: NonNull<u8>,
    size: usize,
    /// Whether its guard page is in place (installed when the stack is first handed out, so a
    /// new slab costs one system call, not one per stack).
    guarded: bool,
}

impl Stack {
    /// One past the highest usable byte; the initial stack pointer.
    pub fn top(&self) -> *mut u8 {
        // SAFETY: `base + size` is the end of this stack's part of its slab.
        unsafe { self.base.as_ptr().add(self.size) }
    }

    /// The lowest usable byte (just above the guard page).
    pub fn bottom(&self) -> *mut u8 {
        // SAFETY: the guard page is the first page of the stack.
        unsafe { self.base.as_ptr().add(PAGE) }
    }
}

pub struct StackPool {
    size: usize,
    slab_stacks: usize,
    free: Vec<Stack>,
    /// Whether guard markers work here (else each stack gets an mprotect'ed page).
    markers: bool,
    slabs: Vec<(NonNull<u8>, usize)>,
}

impl StackPool {
    /// A pool of stacks of `size` bytes each (rounded up to whole pages, guard included).
    pub fn new(size: usize) -> StackPool {
        StackPool::with_slab(size, (SLAB_BYTES / size.max(1)).clamp(1, SLAB_STACKS))
    }

    /// A pool mapping `slab_stacks` stacks at a time (1 for the root fiber's single stack).
    pub fn with_slab(size: usize, slab_stacks: usize) -> StackPool {
        let size = size.max(SHALLOW + 4 * PAGE).div_ceil(PAGE) * PAGE;
        StackPool { size, slab_stacks: slab_stacks.max(1), free: Vec::new(), markers: true, slabs: Vec::new() }
    }

    pub fn take(&mut self) -> io::Result<Stack> {
        if self.free.is_empty() {
            self.grow()?;
        }
        let mut stack = self.free.pop().expect("grow added stacks");
        if !stack.guarded {
            if let Err(e) = self.guard(stack.base) {
                self.free.push(stack);
                return Err(e);
            }
            stack.guarded = true;
        }
        Ok(stack)
    }

    /// Returns a stack to the pool. If the fiber went deep, its pages go back to the kernel,
    /// so that a deep fiber does not leave its memory behind in the pool. `lowest` is the
    /// deepest address it was seen parked at; a probe word just below the shallow part catches
    /// recursion that unwound before parking (fresh and released pages read as zero, and
    /// shallow fibers never write there).
    pub fn give(&mut self, stack: Stack, lowest: *const u8) {
        let used = stack.top() as usize - (lowest as usize).min(stack.top() as usize);
        // SAFETY: the probe word lies in the stack's usable memory (stacks exceed SHALLOW).
        let probe = unsafe { stack.top().sub(SHALLOW).cast::<usize>().read_volatile() };
        if used > SHALLOW || probe != 0 {
            let keep = SHALLOW / 2;
            let len = stack.size - PAGE - keep;
            // SAFETY: the range is the stack's own usable memory below the part kept; no fiber
            // runs on it now. Guard markers survive MADV_DONTNEED.
            unsafe { libc::madvise(stack.bottom().cast(), len, libc::MADV_DONTNEED) };
        }
        self.free.push(stack);
    }

    /// Maps a slab of stacks. Where address space is limited (`ulimit -v`), a smaller slab is
    /// tried before giving up, so that the program runs out only when no stack fits at all.
    fn grow(&mut self) -> io::Result<()> {
        loop {
            match self.map_slab() {
                Err(e) if e.raw_os_error() == Some(libc::ENOMEM) && self.slab_stacks > 1 => self.slab_stacks /= 2,
                other => return other,
            }
        }
    }

    fn map_slab(&mut self) -> io::Result<()> {
        let len = self.size * self.slab_stacks;
        if address_space_left().is_some_and(|left| left < len + HEADROOM) {
            return Err(io::Error::from_raw_os_error(libc::ENOMEM));
        }
        // Stacks of whole page-table spans start half a span past a span boundary: the top of
        // one stack (where a fiber's touched pages are) and the guard page of the next then
        // share one page table, instead of costing one each.
        let align = if self.size.is_multiple_of(PAGE_TABLE_SPAN) { PAGE_TABLE_SPAN } else { 0 };
        // SAFETY: a fresh private anonymous mapping; MAP_NORESERVE because most of each stack
        // is never touched.
        let mapped = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len + align,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if mapped == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let mut slab = mapped.cast::<u8>();
        if align > 0 {
            let start = (mapped as usize).next_multiple_of(align) + align / 2;
            let start = if start - mapped as usize >= align { start - align } else { start };
            let head = start - mapped as usize;
            // SAFETY: the parts of the mapping before and after the slab, mapped just above.
            unsafe {
                if head > 0 {
                    libc::munmap(mapped, head);
                }
                libc::munmap((start + len) as *mut libc::c_void, align - head);
            }
            slab = start as *mut u8;
        }
        let slab = NonNull::new(slab).ok_or_else(io::Error::last_os_error)?;
        self.slabs.push((slab, len));
        // Stacks are handed out from the end of `free`: push in reverse so the lowest stack
        // is used first and neighbouring fibers share cache lines of page tables.
        for i in (0..self.slab_stacks).rev() {
            // SAFETY: `i * size` lies inside the slab.
            let base = unsafe { NonNull::new_unchecked(slab.as_ptr().add(i * self.size)) };
            self.free.push(Stack { base, size: self.size, guarded: false });
        }
        Ok(())
    }

    fn guard(&mut self, page: NonNull<u8>) -> io::Result<()> {
        if self.markers {
            // SAFETY: the page belongs to a slab we mapped.
            if unsafe { libc::madvise(page.as_ptr().cast(), PAGE, MADV_GUARD_INSTALL) } == 0 {
                return Ok(());
            }
            self.markers = false;
        }
        // SAFETY: as above.
        if unsafe { libc::mprotect(page.as_ptr().cast(), PAGE, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// How much more address space the process may map, when `ulimit -v` limits it.
fn address_space_left() -> Option<usize> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: a plain syscall filling a struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    // The first field of statm is the size of every mapping, in pages.
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().next()?.parse().ok()?;
    Some((limit.rlim_cur as usize).saturating_sub(pages * PAGE))
}

impl Drop for StackPool {
    fn drop(&mut self) {
        for (slab, len) in self.slabs.drain(..) {
            // SAFETY: the slab was mapped by `grow`; all its stacks are back in the pool (a
            // pool is dropped only after every fiber has finished).
            unsafe { libc::munmap(slab.as_ptr().cast(), len) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_count() -> usize {
        std::fs::read_to_string("/proc/self/maps").unwrap().lines().count()
    }

    #[test]
    fn thousands_of_guarded_stacks_take_few_kernel_mappings() {
        let before = map_count();
        let mut pool = StackPool::new(64 * 1024);
        let stacks: Vec<Stack> = (0..4096).map(|_| pool.take().unwrap()).collect();
        let added = map_count().saturating_sub(before);
        if pool.markers {
            assert!(stacks.iter().all(|s| s.guarded));
            assert!(added <= 4096 / SLAB_STACKS + 8, "{added} mappings for 4096 stacks");
        }
        for (i, stack) in stacks.into_iter().enumerate() {
            // Touch the top page, as a running fiber would.
            // SAFETY: the byte lies in the stack's usable memory.
            unsafe { stack.top().sub(1 + i % 64).write(1) };
            pool.give(stack, std::ptr::null());
        }
    }

    #[test]
    fn a_stack_that_went_deep_has_its_pages_released_before_reuse() {
        let mut pool = StackPool::new(256 * 1024);
        let stack = pool.take().unwrap();
        // SAFETY: inside the usable stack, written as a deep recursion would.
        let deep = unsafe { stack.bottom().add(PAGE) };
        // SAFETY: 64 KiB from a page above the bottom, inside the stack, which nothing runs on.
        unsafe { std::ptr::write_bytes(deep, 0xAB, 64 * 1024) };
        // SAFETY: just below the top, inside the stack.
        unsafe { stack.top().sub(SHALLOW).write_bytes(0xAB, 8) };
        // Never seen parked deep (`lowest` above the stack): only the probe can tell.
        pool.give(stack, usize::MAX as *const u8);
        let again = pool.take().unwrap();
        // SAFETY: reading the reused stack's memory; released pages read as zero.
        assert_eq!(unsafe { deep.read() }, 0, "the deep pages were released");
        pool.give(again, std::ptr::null());
    }

    #[test]
    fn the_guard_page_sits_just_below_the_usable_stack() {
        let mut pool = StackPool::new(64 * 1024);
        let stack = pool.take().unwrap();
        assert_eq!(stack.top() as usize - stack.bottom() as usize, pool.size - PAGE);
        assert_eq!(stack.top() as usize % 16, 0, "stack tops must be 16-byte aligned");
        // SAFETY: the lowest usable byte is writable.
        unsafe { stack.bottom().write(7) };
        pool.give(stack, std::ptr::null());
    }
}
