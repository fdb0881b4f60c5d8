//! Module resolution: from an importing module and a specifier to the module's name.
//!
//! Names are absolute file paths for user code and `uringy:PATH` for the standard library, so
//! stack traces show real paths. The rules follow what Node, Bun and Deno users expect:
//! exact paths first; TypeScript's habit of writing `./x.js` for `./x.ts`; extension-less and
//! directory imports; `file:` URLs; bare names from `node_modules` through package.json
//! `exports` (conditions `uringy`, `import`, `module`, `default`), `module`, then `main`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    names::{builtin_relative, normalize},
    stdlib,
};

/// Why a specifier could not be resolved; the message names what was looked for and where.
#[derive(Debug)]
pub struct ResolveError(pub String);

const CONDITIONS: &[&str] = &["uringy", "import", "module", "default"];
const EXTENSIONS: &[&str] = &["ts", "mts", "js", "mjs", "json"];

/// Who may import the standard library's internal modules (`uringy:internal/*`).
#[derive(Clone, Copy, PartialEq)]
pub enum Internals {
    /// Only the standard library and the runtime itself.
    Hidden,
    /// Also test files run by `uringy test`, so the runtime's own tests can reach the exact
    /// modules the binary embeds. They are not API; `uringy:ops` stays hidden regardless.
    ForTests,
}

/// Resolves `specifier` imported by the module named `base`.
pub fn resolve(base: &str, specifier: &str, internals: Internals) -> Result<String, ResolveError> {
    if let Some(name) = specifier.strip_prefix("uringy:") {
        return builtin(base, name, specifier, internals);
    }
    if base.starts_with("uringy:") && specifier.starts_with('.') {
        let name = builtin_relative(base, specifier);
        return builtin(base, &name["uringy:".len()..], specifier, internals);
    }
    if specifier.starts_with("node:") {
        return Err(ResolveError(format!(
            "Cannot find module '{specifier}' imported from {base}: Uringy does not provide Node's built-in modules"
        )));
    }
    let from = importer_dir(base);
    let path = if let Some(rest) = specifier.strip_prefix("file:") {
        let url = url::Url::parse(specifier).ok().and_then(|u| u.to_file_path().ok()).ok_or_else(|| {
            ResolveError(format!("Invalid file URL '{specifier}' (file:{rest}) imported from {base}"))
        })?;
        file_or_dir(&url)
    } else if is_path(specifier) {
        file_or_dir(&normalize(&from.join(specifier)))
    } else {
        return package(&from, specifier, base);
    };
    path.map(|p| display(&p))
        .ok_or_else(|| ResolveError(format!("Cannot find module '{specifier}' imported from {base}")))
}

/// `uringy:NAME`. Internal modules are reachable only from the standard library and from the
/// runtime itself (whose imports have no importing module, `base` "").
fn builtin(base: &str, name: &str, specifier: &str, internals: Internals) -> Result<String, ResolveError> {
    let trusted = base.is_empty() || base.starts_with("uringy:");
    let hidden = name == "ops" || name.starts_with("internal/") && internals == Internals::Hidden;
    if hidden && !trusted || stdlib::bytecode(&format!("uringy:{name}")).is_none() && name != "ops" {
        return Err(ResolveError(format!(
            "Cannot find module '{specifier}' imported from {base}: no such built-in module"
        )));
    }
    Ok(format!("uringy:{name}"))
}

fn is_path(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier.starts_with('/')
        || specifier == "."
        || specifier == ".."
}

/// The directory relative imports of `base` start from; code with no file (eval) uses the
/// current directory.
fn importer_dir(base: &str) -> PathBuf {
    let base = Path::new(base);
    match base.parent() {
        Some(dir) if base.is_absolute() => dir.to_path_buf(),
        _ => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    }
}

/// The file `uringy PATH` runs: PATH itself, or for a directory (as Node does) its
/// package.json's `module` or `main`, or its `index` file.
pub fn entry(path: &Path) -> Result<PathBuf, String> {
    if path.is_file() {
        return canonical(path).ok_or_else(|| format!("cannot read {}", path.display()));
    }
    if !path.is_dir() {
        return Err(format!("Module not found: {}", path.display()));
    }
    let manifest = std::fs::read_to_string(path.join("package.json")).ok();
    if let Some(manifest) = manifest.as_deref().and_then(|m| serde_json::from_str::<Value>(m).ok()) {
        if let Ok(Some(found)) = from_manifest(path, &manifest, ".") {
            return Ok(found);
        }
    }
    file_or_dir(path).ok_or_else(|| {
        format!(
            "{} is a directory, with no package.json \"main\" nor index file (index.ts, index.js, …) to run",
            path.display()
        )
    })
}

/// The file `path` names, trying what TypeScript and bundler users expect when it is missing.
fn file_or_dir(path: &Path) -> Option<PathBuf> {
    if path.is_file() {
        return canonical(path);
    }
    let text = path.to_string_lossy();
    // `import "./x.js"` from TypeScript means `./x.ts` (tsc's convention for emitted paths).
    for (js, ts) in [(".js", ".ts"), (".mjs", ".mts")] {
        if let Some(stem) = text.strip_suffix(js) {
            let candidate = PathBuf::from(format!("{stem}{ts}"));
            if candidate.is_file() {
                return canonical(&candidate);
            }
        }
    }
    if path.extension().is_none() {
        for ext in EXTENSIONS {
            let candidate = PathBuf::from(format!("{text}.{ext}"));
            if candidate.is_file() {
                return canonical(&candidate);
            }
        }
    }
    if path.is_dir() {
        for ext in EXTENSIONS {
            let candidate = path.join(format!("index.{ext}"));
            if candidate.is_file() {
                return canonical(&candidate);
            }
        }
    }
    None
}

/// Symlinks resolved, so one file reached two ways is one module.
fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// A bare specifier: `pkg`, `pkg/sub/path`, `@scope/pkg/sub`.
fn package(from: &Path, specifier: &str, base: &str) -> Result<String, ResolveError> {
    let mut parts = specifier.splitn(if specifier.starts_with('@') { 3 } else { 2 }, '/');
    let name: Vec<&str> = parts.by_ref().take(if specifier.starts_with('@') { 2 } else { 1 }).collect();
    let name = name.join("/");
    let subpath = parts.next().map(|s| format!("./{s}")).unwrap_or_else(|| ".".into());
    let mut searched = Vec::new();
    for dir in from.ancestors() {
        let root = dir.join("node_modules").join(&name);
        searched.push(dir.join("node_modules").display().to_string());
        if !root.is_dir() {
            continue;
        }
        let manifest = std::fs::read_to_string(root.join("package.json")).ok();
        let manifest = manifest
            .as_deref()
            .map(serde_json::from_str::<Value>)
            .transpose()
            .map_err(|e| ResolveError(format!("Invalid {}: {e}", root.join("package.json").display())))?;
        let found = match manifest.as_ref() {
            Some(m) => from_manifest(&root, m, &subpath)
                .map_err(|e| ResolveError(format!("Cannot resolve '{specifier}' imported from {base}: {e}")))?,
            None => file_or_dir(&root.join(&subpath)),
        };
        return found.map(|p| display(&p)).ok_or_else(|| {
            ResolveError(format!(
                "Cannot find module '{specifier}' imported from {base}: package {} has no entry for '{subpath}'",
                root.display()
            ))
        });
    }
    Err(ResolveError(format!("Cannot find package '{name}' imported from {base} (looked in {})", searched.join(", "))))
}

fn from_manifest(root: &Path, manifest: &Value, subpath: &str) -> Result<Option<PathBuf>, String> {
    if let Some(exports) = manifest.get("exports") {
        let target = exports_target(exports, subpath)
            .ok_or_else(|| format!("'{subpath}' is not exported by {}", root.join("package.json").display()))?;
        return Ok(file_or_dir(&normalize(&root.join(target))));
    }
    if subpath == "." {
        for field in ["module", "main"] {
            if let Some(entry) = manifest.get(field).and_then(Value::as_str) {
                if let Some(found) = file_or_dir(&normalize(&root.join(entry))) {
                    return Ok(Some(found));
                }
            }
        }
    }
    Ok(file_or_dir(&normalize(&root.join(subpath))))
}

/// package.json `exports`: a string, a condition map, or a map of subpaths (with `*` patterns).
fn exports_target(exports: &Value, subpath: &str) -> Option<String> {
    let is_subpath_map = exports.as_object().is_some_and(|e| e.keys().any(|k| k.starts_with('.')));
    if !is_subpath_map {
        return (subpath == ".").then(|| conditional(exports)).flatten();
    }
    let entries = exports.as_object()?;
    if let Some(target) = entries.get(subpath) {
        return conditional(target);
    }
    // The longest matching `prefix*suffix` pattern wins.
    let mut best: Option<(usize, String)> = None;
    for (key, target) in entries {
        let Some((prefix, suffix)) = key.split_once('*') else { continue };
        if subpath.len() >= prefix.len() + suffix.len() && subpath.starts_with(prefix) && subpath.ends_with(suffix) {
            let star = &subpath[prefix.len()..subpath.len() - suffix.len()];
            if best.as_ref().is_none_or(|(len, _)| prefix.len() > *len) {
                if let Some(t) = conditional(target) {
                    best = Some((prefix.len(), t.replace('*', star)));
                }
            }
        }
    }
    best.map(|(_, t)| t)
}

fn conditional(target: &Value) -> Option<String> {
    match target {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(conditional),
        Value::Object(entries) => {
            entries.iter().find(|(k, _)| CONDITIONS.contains(&k.as_str())).and_then(|(_, v)| conditional(v))
        }
        _ => None,
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "uringy-resolve-{}-{}",
            std::process::id(),
            files.len() * 7919 + files[0].0.len()
        ));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        fs::canonicalize(dir).unwrap()
    }

    #[test]
    fn relative_imports_try_ts_for_js_and_missing_extensions() {
        let dir = tree(&[("app.ts", ""), ("lib/util.ts", ""), ("lib/index.ts", "")]);
        let base = dir.join("app.ts").display().to_string();
        let util = dir.join("lib/util.ts").display().to_string();
        assert_eq!(resolve(&base, "./lib/util.ts", Internals::Hidden).unwrap(), util);
        assert_eq!(resolve(&base, "./lib/util.js", Internals::Hidden).unwrap(), util);
        assert_eq!(resolve(&base, "./lib/util", Internals::Hidden).unwrap(), util);
        assert_eq!(resolve(&base, "./lib", Internals::Hidden).unwrap(), dir.join("lib/index.ts").display().to_string());
    }

    #[test]
    fn missing_modules_name_the_specifier_and_the_importer() {
        let dir = tree(&[("main.ts", "")]);
        let base = dir.join("main.ts").display().to_string();
        let err = resolve(&base, "./nope.ts", Internals::Hidden).unwrap_err().0;
        assert!(err.contains("'./nope.ts'") && err.contains(&base), "{err}");
        let err = resolve(&base, "left-pad", Internals::Hidden).unwrap_err().0;
        assert!(err.contains("Cannot find package 'left-pad'") && err.contains("node_modules"), "{err}");
    }

    #[test]
    fn packages_resolve_through_exports_conditions_and_patterns() {
        let dir = tree(&[
            ("x.ts", ""),
            (
                "node_modules/pkg/package.json",
                r#"{"exports": {".": {"require": "./c.cjs", "import": "./e.mjs"}, "./feat/*": "./src/*.js"}}"#,
            ),
            ("node_modules/pkg/e.mjs", ""),
            ("node_modules/pkg/src/a.js", ""),
            ("node_modules/@s/m/package.json", r#"{"module": "m.js", "main": "c.js"}"#),
            ("node_modules/@s/m/m.js", ""),
        ]);
        let base = dir.join("x.ts").display().to_string();
        assert!(resolve(&base, "pkg", Internals::Hidden).unwrap().ends_with("node_modules/pkg/e.mjs"));
        assert!(resolve(&base, "pkg/feat/a", Internals::Hidden).unwrap().ends_with("node_modules/pkg/src/a.js"));
        assert!(resolve(&base, "pkg/hidden", Internals::Hidden).unwrap_err().0.contains("not exported"));
        assert!(resolve(&base, "@s/m", Internals::Hidden).unwrap().ends_with("node_modules/@s/m/m.js"));
    }

    #[test]
    fn internal_builtins_are_only_reachable_from_the_standard_library() {
        assert!(resolve("/app.ts", "uringy:ops", Internals::Hidden).is_err());
        assert!(resolve("/app.ts", "uringy:internal/bootstrap", Internals::Hidden).is_err());
        assert_eq!(
            resolve("uringy:internal/bootstrap", "./console.ts", Internals::Hidden).unwrap(),
            "uringy:internal/console"
        );
        assert!(resolve("/app.ts", "uringy:nonexistent", Internals::Hidden).is_err());
        assert!(resolve("/x.test.ts", "uringy:internal/bootstrap", Internals::ForTests).is_ok());
        assert!(resolve("/x.test.ts", "uringy:ops", Internals::ForTests).is_err());
    }
}
