//! Stackful fibers: stacks ([`stack`]), the switch between them ([`switch`]), the engine state
//! each one owns ([`engine_state`]), and running code on them ([`context`]). The only code that
//! changes the stack pointer.

pub mod context;
pub mod engine_state;
pub mod stack;
pub mod switch;
