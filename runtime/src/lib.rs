//! Uringy: a JavaScript/TypeScript runtime whose IO suspends fibers instead of returning
//! promises. This crate is the runtime; `main.rs` only turns the command line into a command
//! and its exit status, and Rust tests drive the runtime through it.
//!
//! The layers, bottom up (docs/runtime.md draws them): `uring` (the kernel: the ring, one file
//! per operation, direct system calls), `fiber` (stacks and switching), `js` (the engine's C
//! API), `scheduler` (the task tree and the loop), `loader` (modules), `ops` (the native
//! functions the standard library calls), `engine` (a runtime from start to exit status), and
//! `cli`. Each layer uses only the layers below it.

pub mod cli;
pub mod engine;
pub mod fiber;
pub mod js;
pub mod loader;
pub mod ops;
pub mod scheduler;
pub mod test_runner;
pub mod uring;
