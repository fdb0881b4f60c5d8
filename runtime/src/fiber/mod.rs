//! Stackful fibers: stacks ([`stack`]), the switch between them ([`switch`]), and the engine
//! state each one owns ([`engine_state`]). The only code that changes the stack pointer.

pub mod engine_state;
pub mod stack;
pub mod switch;
