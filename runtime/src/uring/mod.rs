//! The thread's io_uring. This module is the only code that pushes submissions.

mod ring;

pub use ring::Ring;
