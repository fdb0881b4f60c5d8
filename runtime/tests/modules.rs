//! ES module loading as users write it: paths, URLs, JSON, packages, `import.meta`.

mod common;

use common::{uringy_in, TempDir};

#[test]
fn relative_absolute_and_file_url_specifiers_load_the_same_module_once() {
    let dir = TempDir::new();
    dir.write(
        "lib/counter.ts",
        "export let loads = (globalThis as any).loads = ((globalThis as any).loads ?? 0) + 1;\n",
    );
    let abs = dir.path().join("lib/counter.ts").display().to_string();
    let url = format!("file://{abs}");
    dir.write(
        "main.ts",
        &format!(
            "import {{ loads }} from './lib/counter.ts';\nimport {{ loads as b }} from '{abs}';\nimport {{ loads as c }} from '{url}';\nimport {{ loads as d }} from './lib/counter.js';\nimport {{ loads as e }} from './lib/counter';\nconsole.log(loads, b, c, d, e);\n"
        ),
    );
    let run = uringy_in(dir.path(), &["main.ts"]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "1 1 1 1 1\n"), "{}", run.stderr);
}

#[test]
fn directory_imports_find_their_index_file() {
    let dir = TempDir::new();
    dir.write("util/index.ts", "export const name = 'util';\n");
    dir.write("main.js", "import { name } from './util';\nconsole.log(name);\n");
    let run = uringy_in(dir.path(), &["main.js"]);
    assert_eq!(run.stdout, "util\n", "{}", run.stderr);
}

#[test]
fn json_files_import_as_their_parsed_value() {
    let dir = TempDir::new();
    dir.write("data.json", r#"{ "name": "x", "list": [1, 2], "quote": "\u2028\"" }"#);
    // With `type: 'json'` as Node and Deno require it, and without, as Bun allows.
    dir.write("other.ts", "import data from './data.json' with { type: 'json' };\nexport default data;\n");
    dir.write(
        "main.ts",
        "import data from './data.json' with { type: 'json' };\nimport same from './other.ts';\nimport plain from './data.json';\nconsole.log(data.name, data.list.length, data.quote.length, data === same, plain.name);\n",
    );
    let run = uringy_in(dir.path(), &["main.ts"]);
    assert_eq!(run.stdout, "x 2 2 true x\n", "{}", run.stderr);
}

#[test]
fn packages_resolve_from_node_modules_through_exports_module_and_main() {
    let dir = TempDir::new();
    dir.write("node_modules/exp/package.json", r#"{ "name": "exp", "exports": { ".": { "require": "./cjs.js", "import": "./esm.js" }, "./extra": "./extra.js" } }"#);
    dir.write("node_modules/exp/esm.js", "export default 'exp-esm';\n");
    dir.write("node_modules/exp/extra.js", "export const extra = 'exp-extra';\n");
    dir.write("node_modules/mod/package.json", r#"{ "module": "m.js", "main": "c.js" }"#);
    dir.write("node_modules/mod/m.js", "export default 'mod-module';\n");
    dir.write("node_modules/@scope/main/package.json", r#"{ "main": "lib/entry.js" }"#);
    dir.write("node_modules/@scope/main/lib/entry.js", "export default 'scoped-main';\n");
    dir.write("src/app.ts", "import a from 'exp';\nimport { extra } from 'exp/extra';\nimport m from 'mod';\nimport s from '@scope/main';\nconsole.log(a, extra, m, s);\n");
    let run = uringy_in(dir.path(), &["src/app.ts"]);
    assert_eq!(run.stdout, "exp-esm exp-extra mod-module scoped-main\n", "{}", run.stderr);
}

#[test]
fn a_missing_package_says_where_it_was_looked_for() {
    let dir = TempDir::new();
    dir.write("app.ts", "import x from 'left-pad';\n");
    let run = uringy_in(dir.path(), &["app.ts"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Cannot find package 'left-pad'"), "{}", run.stderr);
    assert!(run.stderr.contains(&dir.path().join("node_modules").display().to_string()), "{}", run.stderr);
}

#[test]
fn import_meta_describes_the_module_and_main_is_only_the_entry() {
    let dir = TempDir::new();
    dir.write("sub/dep.ts", "export const meta = { main: import.meta.main, file: import.meta.filename };\n");
    dir.write("main.ts", "import { meta } from './sub/dep.ts';\nconsole.log(JSON.stringify([import.meta.url, import.meta.filename, import.meta.dirname, import.meta.main, meta.main, meta.file]));\n");
    let run = uringy_in(dir.path(), &["main.ts"]);
    let root = dir.path().display().to_string();
    let expected = serde_json::json!([
        format!("file://{root}/main.ts"),
        format!("{root}/main.ts"),
        root,
        true,
        false,
        format!("{root}/sub/dep.ts")
    ]);
    assert_eq!(run.stdout.trim(), expected.to_string(), "{}", run.stderr);
}

#[test]
fn dynamic_import_and_top_level_await_work_together() {
    let dir = TempDir::new();
    dir.write("later.ts", "await new Promise((r) => setTimeout(r, 5));\nexport const value: number = 42;\n");
    dir.write("main.ts", "const { value } = await import('./later.ts');\nconst missing = await import('./missing.ts').catch((e) => e.code);\nconsole.log(value, missing);\n");
    let run = uringy_in(dir.path(), &["main.ts"]);
    assert_eq!(run.stdout, "42 ERR_MODULE_NOT_FOUND\n", "{}", run.stderr);
}

#[test]
fn import_cycles_resolve_as_in_every_es_module_runtime() {
    let dir = TempDir::new();
    dir.write("a.ts", "import { b } from './b.ts';\nexport const a = 'a';\nexport function show() { return a + b; }\n");
    dir.write("b.ts", "import { show } from './a.ts';\nexport const b = 'b';\nexport const later = () => show();\n");
    dir.write("main.ts", "import { later } from './b.ts';\nconsole.log(later());\n");
    let run = uringy_in(dir.path(), &["main.ts"]);
    assert_eq!(run.stdout, "ab\n", "{}", run.stderr);
}

#[test]
fn built_in_modules_load_and_internal_ones_are_refused() {
    let dir = TempDir::new();
    dir.write("ok.ts", "import { test, expect } from 'uringy:test';\nconsole.log(typeof test, typeof expect);\n");
    let run = uringy_in(dir.path(), &["ok.ts"]);
    assert_eq!(run.stdout, "function function\n", "{}", run.stderr);
    for internal in ["uringy:ops", "uringy:internal/bootstrap", "uringy:nope"] {
        dir.write("bad.ts", &format!("import x from '{internal}';\n"));
        let run = uringy_in(dir.path(), &["bad.ts"]);
        assert_eq!(run.status, 1, "{internal}");
        assert!(run.stderr.contains("no such built-in module"), "{internal}: {}", run.stderr);
    }
}

#[test]
fn node_builtins_are_refused_with_an_explanation() {
    let dir = TempDir::new();
    dir.write("n.ts", "import fs from 'node:fs';\n");
    let run = uringy_in(dir.path(), &["n.ts"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("does not provide Node's built-in modules"), "{}", run.stderr);
}
