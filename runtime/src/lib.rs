//! Uringy: a JavaScript/TypeScript runtime whose IO suspends fibers instead of returning
//! promises. This crate is the runtime; `main.rs` only turns the command line into a command
//! and its exit status, and Rust tests drive the runtime through it.
//!
//! The layers, bottom up (docs/runtime.md draws them): `uring` (the kernel: the ring, one file
//! per operation, direct system calls) and `js` (the engine's C API, wrapped), `fiber` (stacks,
//! switching, each fiber's engine state), `scheduler` (the task tree and the turn), `loader`
//! (modules), `ops` (the native functions the standard library calls), `engine` (a runtime from
//! set-up to teardown), and `cli`. Each layer uses only the layers below it, and only `uring`,
//! `js` and `fiber` have `unsafe` code, each block with the reason it is sound.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod cli;
pub mod engine;
pub mod fiber;
pub mod js;
pub mod loader;
pub mod ops;
pub mod scheduler;
pub mod test_runner;
pub mod uring;
