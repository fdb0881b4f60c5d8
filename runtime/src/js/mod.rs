//! The engine boundary: the only module that calls quickjs-ng's C API directly (besides
//! `fiber::engine_state`, which reads the engine's per-stack fields). The layers above use the
//! safe wrappers here and rquickjs's own safe API.

pub mod bytes;
pub mod clone;
pub mod engine;
pub mod errors;
pub mod module;
pub mod native;
pub mod objects;
pub mod path;
pub mod promise;
pub mod raw_op;
pub mod strings;
pub mod userdata;
