//! The thread's io_uring. This module is the only code that pushes submissions.
//!
//! An operation owns everything the kernel may touch ([`Keep`]) until its completion arrives;
//! docs/io.md has the whole design.

pub mod buffers;
pub mod fd;
mod ring;
pub mod stream;

pub use ring::{Completion, Keep, OpId, Owner, Ring};
