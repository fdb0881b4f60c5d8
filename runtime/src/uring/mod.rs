//! The kernel boundary: the thread's io_uring ([`ring`]), the operations it runs, one file each
//! ([`op`]), the provided buffers receives fill ([`buffers`]), owned descriptors ([`fd`]), and
//! the system calls made directly ([`sys`]). With `fiber/` and `js/`, the only code with
//! `unsafe`: everything above is safe code over these types. docs/io.md has the design.

pub mod buffers;
pub mod fd;
pub mod op;
mod ring;
pub mod sys;

pub use ring::{OpId, Ring, RingError, Stats, Token};
