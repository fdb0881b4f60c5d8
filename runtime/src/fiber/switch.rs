//! Switching between stacks: the only code in the runtime that changes the stack pointer.
//!
//! A suspended context is just its stack pointer: `switch` pushes the registers the System V
//! ABI says a callee must preserve (rbx, rbp, r12–r15), stores the stack pointer, loads the
//! other context's, and pops its registers. The caller-saved registers are, by the ABI, already
//! dead at the call. The x87 and MXCSR control words are not switched: nothing in the runtime
//! changes them. (A round trip costs about 15 ns; `ucontext` costs ~500 ns, saving the signal
//! mask with a syscall.)

use std::arch::naked_asm;

/// Saves the running context's stack pointer to `*from` and continues the context whose
/// stack pointer is `to`; returns when something switches back to `*from`.
///
/// # Safety
/// `to` must be a stack pointer saved by `switch` (or prepared by [`prepare`]) of a context
/// that is not running, whose stack is alive.
#[unsafe(naked)]
pub unsafe extern "sysv64" fn switch(from: *mut *mut u8, to: *mut u8) {
    naked_asm!(
        "push rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov [rdi], rsp",
        "mov rsp, rsi",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
    )
}

/// The first code a new context runs: calls `entry(arg)` (stashed in r13 and r12 by
/// [`prepare`]) with the stack aligned as at any function entry. `entry` never returns.
#[unsafe(naked)]
unsafe extern "sysv64" fn trampoline() {
    naked_asm!("mov rdi, r12", "jmp r13")
}

/// Lays out a new stack so that the first `switch` to the returned stack pointer runs
/// `entry(arg)` on it.
///
/// # Safety
/// `top` must be the 16-byte aligned top of a writable stack at least a page deep, unused.
pub unsafe fn prepare(top: *mut u8, entry: unsafe extern "sysv64" fn(*mut u8) -> !, arg: *mut u8) -> *mut u8 {
    // What `switch` pops, lowest address first: r15, r14, r13 = entry, r12 = arg, rbx,
    // rbp = 0; then the trampoline for its `ret`; then a zero return address that `entry`
    // never uses and that ends every backtrace.
    let frame = [0, 0, entry as usize, arg as usize, 0, 0, trampoline as *const () as usize, 0];
    // SAFETY: the caller guarantees the 64 bytes below `top` are ours to write.
    unsafe {
        let sp = top.sub(frame.len() * 8).cast::<usize>();
        for (i, word) in frame.into_iter().enumerate() {
            sp.add(i).write(word);
        }
        sp.cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fiber::stack::StackPool;
    use std::cell::Cell;

    thread_local! {
        static MAIN: Cell<*mut u8> = const { Cell::new(std::ptr::null_mut()) };
        static FIBER: Cell<*mut u8> = const { Cell::new(std::ptr::null_mut()) };
    }

    unsafe extern "sysv64" fn count_up(arg: *mut u8) -> ! {
        let counter = arg.cast::<u64>();
        loop {
            // SAFETY: the test keeps the counter alive while the fiber runs.
            unsafe { *counter += 1 };
            let here = FIBER.with(|f| f.as_ptr());
            // SAFETY: MAIN holds the stack pointer the test saved when switching here.
            unsafe { switch(here, MAIN.with(|m| m.get())) };
        }
    }

    #[test]
    fn a_context_runs_on_its_own_stack_and_returns_to_the_caller_each_switch() {
        let mut pool = StackPool::new(64 * 1024);
        let stack = pool.take().unwrap();
        let mut counter = 0u64;
        // SAFETY: a fresh stack; the counter outlives every switch below.
        let sp = unsafe { prepare(stack.top(), count_up, (&mut counter as *mut u64).cast()) };
        FIBER.with(|f| f.set(sp));
        for expected in 1..=3 {
            let main = MAIN.with(|m| m.as_ptr());
            // SAFETY: FIBER holds a prepared or saved stack pointer of the suspended fiber.
            unsafe { switch(main, FIBER.with(|f| f.get())) };
            assert_eq!(counter, expected);
        }
        pool.give(stack, std::ptr::null());
    }
}
