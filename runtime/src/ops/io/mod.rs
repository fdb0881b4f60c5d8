//! Ops of `uringy:io` and the console: reading and writing descriptors through the ring, and
//! the console's synchronous writes.

mod console;
mod stream;

use rquickjs::Result;

use super::Ops;

pub use stream::{cancelled, closed, failed};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    console::register(ops)?;
    stream::register(ops)
}
