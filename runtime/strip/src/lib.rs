//! What Uringy's module loader and its build script (which compiles the standard library) share:
//! TypeScript turned into JavaScript by erasing its types ([`strip`]), and how modules are named
//! ([`names`]). A crate of its own so that both depend on it, rather than the build script
//! including the runtime's files.

pub mod names;
pub mod strip;
