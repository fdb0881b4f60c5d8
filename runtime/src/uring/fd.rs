//! Owned descriptors. A socket, listener or file is an `Rc<Fd>` shared by the JS object that
//! holds it and by every operation in flight on it, so that the descriptor number is never
//! closed (and reused by the next `accept`) while the kernel may still act on it.

use std::{
    cell::{Cell, RefCell},
    os::fd::RawFd,
    rc::Rc,
};

thread_local! {
    /// Descriptors owned and not yet closed: a leak check for `URINGY_CHECK_LEAKS=1`.
    static OPEN: Cell<usize> = const { Cell::new(0) };
}

/// How many owned descriptors are open.
pub fn open_count() -> usize {
    OPEN.get()
}

pub struct Fd {
    raw: Cell<RawFd>,
    /// Sockets are read and written with `recv`/`send` (MSG_NOSIGNAL); the rest with
    /// `read`/`write`.
    pub socket: bool,
    /// Whether closing it is ours to do (not stdin/stdout/stderr, which the process keeps).
    owned: bool,
    closed: Cell<bool>,
    inflight: Cell<u32>,
    /// Bytes read that did not reach JS (its buffer was detached or shrunk while the read was
    /// in flight): the next read returns them first.
    pub leftover: RefCell<Vec<u8>>,
}

impl Fd {
    pub fn new(raw: RawFd, socket: bool) -> Rc<Fd> {
        OPEN.set(OPEN.get() + 1);
        Rc::new(Fd {
            raw: Cell::new(raw),
            socket,
            owned: true,
            closed: Cell::new(false),
            inflight: Cell::new(0),
            leftover: RefCell::default(),
        })
    }

    /// A descriptor the process keeps open whatever JS does (0, 1, 2).
    pub fn borrowed(raw: RawFd) -> Rc<Fd> {
        Rc::new(Fd {
            raw: Cell::new(raw),
            socket: false,
            owned: false,
            closed: Cell::new(false),
            inflight: Cell::new(0),
            leftover: RefCell::default(),
        })
    }

    /// Whether it is one of the process's standard streams (0, 1, 2).
    pub fn standard(&self) -> bool {
        !self.owned
    }

    /// The descriptor, or `None` once `close` was called.
    pub fn get(&self) -> Option<RawFd> {
        (!self.closed.get()).then(|| self.raw.get())
    }

    /// The number, closed or not (for the ring's cancel-by-descriptor).
    pub fn raw(&self) -> RawFd {
        self.raw.get()
    }

    /// Closes it for JS at once; the descriptor itself is released when the last operation in
    /// flight on it has completed. Returns whether operations are in flight (the caller
    /// cancels them).
    pub fn close(&self) -> bool {
        self.closed.set(true);
        if self.inflight.get() == 0 {
            self.release();
            return false;
        }
        true
    }

    /// A share of it for an operation, which keeps it open until the operation is dropped
    /// (after its completion); `None` once `close` was called.
    pub fn for_op(self: &Rc<Fd>) -> Option<InUse> {
        self.get()?;
        self.inflight.set(self.inflight.get() + 1);
        Some(InUse(self.clone()))
    }

    fn release(&self) {
        let raw = self.raw.replace(-1);
        if raw >= 0 && self.owned {
            OPEN.set(OPEN.get() - 1);
            // A direct close: for sockets it never blocks, and it must also work from the
            // engine's finalizer, where the ring (in the scheduler) may be borrowed.
            super::sys::process::close(raw);
        }
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        self.release();
    }
}

/// An operation in flight on a descriptor: keeps it open until the completion arrives.
pub struct InUse(Rc<Fd>);

impl InUse {
    /// The descriptor's number (still open: this share keeps it so).
    pub fn raw(&self) -> RawFd {
        self.0.raw()
    }
}

impl Drop for InUse {
    fn drop(&mut self) {
        let fd = &self.0;
        fd.inflight.set(fd.inflight.get() - 1);
        if fd.closed.get() && fd.inflight.get() == 0 {
            fd.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_open(raw: RawFd) -> bool {
        std::path::Path::new(&format!("/proc/self/fd/{raw}")).exists()
    }

    #[test]
    fn a_descriptor_closed_while_in_use_is_released_after_its_last_operation() {
        let fd = crate::uring::sys::net::socket(
            &crate::uring::sys::addr::SockAddr::ip("127.0.0.1", 0).unwrap(),
            libc::SOCK_STREAM,
        )
        .unwrap();
        let raw = fd.raw();
        let op = fd.for_op().unwrap();
        assert!(fd.close(), "an operation is in flight");
        assert!(fd.get().is_none() && is_open(raw), "closed for JS, still open for the kernel");
        drop(op);
        assert!(!is_open(raw));
    }
}
