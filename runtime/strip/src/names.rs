//! How modules are named, shared with `build.rs`: paths are normalized lexically, and the
//! standard library's relative imports name other `uringy:` modules.

use std::path::{Component, Path, PathBuf};

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The module a standard-library module `base` (`uringy:internal/a`) means by the relative
/// `specifier` (`./b.ts`): `uringy:internal/b`.
pub fn builtin_relative(base: &str, specifier: &str) -> String {
    let dir = Path::new(base.trim_start_matches("uringy:")).parent().unwrap_or(Path::new(""));
    let joined = normalize(&dir.join(specifier));
    let joined = joined.to_string_lossy();
    format!("uringy:{}", joined.strip_suffix(".ts").unwrap_or(&joined))
}
