//! System calls made directly, not through the ring: those that never wait (socket options,
//! addresses, metadata io_uring has no operation for), those that must work where the ring
//! cannot be used (a finalizer closing a descriptor, the console's synchronous writes), and the
//! process-wide ones (limits, signal dispositions). Each is a safe function over `libc`; an
//! error is the errno.

pub mod addr;
pub mod event;
pub mod fs;
pub mod net;
pub mod process;
pub mod signal;

/// The errno of the last failed call.
fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// `Ok(value)` when a call returned `value ≥ 0`, else the errno.
fn check<T: Copy + PartialOrd + Default>(value: T) -> Result<T, i32> {
    if value < T::default() {
        Err(errno())
    } else {
        Ok(value)
    }
}
