//! Errors reaching the top: what is printed, where it points, and the exit status.

mod common;

use common::{run_source, uringy_in, TempDir};

#[test]
fn an_uncaught_error_prints_name_message_stack_and_exits_1() {
    let source = "function inner(x: number): never {\n  throw new TypeError('bad ' + x);\n}\nfunction outer() { inner(1); }\nouter();\n";
    let (dir, run) = run_source("app.ts", source, &[]);
    let file = dir.path().join("app.ts").display().to_string();
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Uncaught TypeError: bad 1"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("at inner ({file}:2:")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("at outer ({file}:4:")), "{}", run.stderr);
    // The offending line is shown with a caret under the position.
    assert!(run.stderr.contains("  throw new TypeError('bad ' + x);\n"), "{}", run.stderr);
}

/// Type stripping keeps every position: a typed file reports the line and column that the
/// same code, with its types blanked out, reports as plain JavaScript.
#[test]
fn typescript_positions_are_the_positions_of_the_source_as_written() {
    let typed = "type Id = string;\ninterface P { id: Id }\nconst p: P = { id: 'x' as Id };\nfunction make(): Error { return new Error(p.id as string); }\nconsole.log(make().stack);\n";
    let plain = "\n\nconst p    = { id: 'x'       };\nfunction make()        { return new Error(p.id          ); }\nconsole.log(make().stack);\n";
    let (_a, ts) = run_source("app.ts", typed, &[]);
    let (_b, js) = run_source("app.js", plain, &[]);
    let frames = |out: &str, ext: &str| out.replace(&format!("app.{ext}"), "app");
    assert!(ts.stdout.contains("app.ts:4:"), "{}", ts.stdout);
    assert_eq!(
        frames(&ts.stdout, "ts").lines().map(|l| l.rsplit('/').next().unwrap().to_owned()).collect::<Vec<_>>(),
        frames(&js.stdout, "js").lines().map(|l| l.rsplit('/').next().unwrap().to_owned()).collect::<Vec<_>>()
    );
}

#[test]
fn a_syntax_error_prints_file_line_column_and_the_line() {
    let (dir, run) = run_source("bad.js", "const a = 1;\nconst b = (;\n", &[]);
    assert_eq!(run.status, 1);
    let file = dir.path().join("bad.js").display().to_string();
    assert!(run.stderr.starts_with(&format!("{file}:2:12\nconst b = (;\n           ^\n")), "{}", run.stderr);
    assert!(run.stderr.contains("SyntaxError"), "{}", run.stderr);
}

#[test]
fn a_typescript_syntax_error_prints_file_line_column_and_the_line() {
    let (dir, run) = run_source("bad.ts", "let ok: number = 1;\nlet no: = 2;\n", &[]);
    assert_eq!(run.status, 1);
    let file = dir.path().join("bad.ts").display().to_string();
    assert!(run.stderr.starts_with(&format!("{file}:2:")), "{}", run.stderr);
    assert!(run.stderr.contains("let no: = 2;") && run.stderr.contains("SyntaxError"), "{}", run.stderr);
}

#[test]
fn enum_and_namespace_are_refused_with_their_position_and_why() {
    for (source, line) in [("const a = 1;\nenum Color { Red }\n", 2), ("namespace N { export const x = 1 }\n", 1)] {
        let (dir, run) = run_source("e.ts", source, &[]);
        let file = dir.path().join("e.ts").display().to_string();
        assert_eq!(run.status, 1);
        assert!(run.stderr.starts_with(&format!("{file}:{line}:1\n")), "{}", run.stderr);
        assert!(run.stderr.contains("erasing types"), "{}", run.stderr);
    }
}

#[test]
fn a_missing_entry_file_says_what_was_looked_for() {
    let dir = TempDir::new();
    let run = uringy_in(dir.path(), &["nope.ts"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(&dir.path().join("nope.ts").display().to_string()), "{}", run.stderr);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

#[test]
fn a_missing_import_names_the_specifier_the_importer_and_the_line() {
    let (dir, run) = run_source("main.ts", "const x = 1;\nimport { y } from './gone.ts';\n", &[]);
    let file = dir.path().join("main.ts").display().to_string();
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(&format!("Cannot find module './gone.ts' imported from {file}")), "{}", run.stderr);
    assert!(run.stderr.starts_with(&format!("{file}:2:19\n")), "{}", run.stderr);
}

#[test]
fn an_unhandled_rejection_is_printed_and_exits_1() {
    let (_dir, run) = run_source(
        "r.ts",
        "Promise.reject(new RangeError('nope'));\nsetTimeout(() => console.log('not reached'), 50);\n",
        &[],
    );
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Uncaught (in promise) RangeError: nope"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_rejection_handled_in_the_same_turn_is_not_reported() {
    let (_dir, run) = run_source(
        "h.ts",
        "const p = Promise.reject(new Error('x'));\nawait null;\np.catch(() => console.log('handled'));\n",
        &[],
    );
    assert_eq!((run.status, run.stdout.as_str()), (0, "handled\n"), "{}", run.stderr);
}

#[test]
fn an_error_thrown_by_a_timer_callback_is_uncaught() {
    let (_dir, run) = run_source("t.ts", "setTimeout(() => { throw new Error('late'); }, 1);\n", &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Uncaught Error: late"), "{}", run.stderr);
}

#[test]
fn an_error_thrown_by_a_microtask_is_uncaught() {
    let (_dir, run) = run_source("m.ts", "queueMicrotask(() => { throw new Error('micro'); });\n", &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Uncaught Error: micro"), "{}", run.stderr);
}

#[test]
fn thrown_non_errors_are_printed_as_values() {
    let (_dir, run) = run_source("v.js", "throw { code: 42 };\n", &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Uncaught { code: 42 }"), "{}", run.stderr);
}

#[test]
fn errors_keep_their_properties_and_cause_when_printed() {
    let (_dir, run) = run_source(
        "c.js",
        "const e = new Error('outer', { cause: new Error('inner') });\ne.code = 'E_X';\nthrow e;\n",
        &[],
    );
    assert!(run.stderr.contains("code: 'E_X'") && run.stderr.contains("[cause]: Error: inner"), "{}", run.stderr);
}

/// The type stripper recursed on the fiber's stack with no guard: deeply nested TypeScript was
/// a SIGSEGV where the same text as `.js` gave a RangeError.
#[test]
fn deeply_nested_typescript_is_compiled_or_refused_naming_the_file_never_a_crash() {
    let parens = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    let ok = |run: &common::Run, what: &str| assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{what}");
    let (_a, run) = run_source("main.ts", &format!("const x: number = {};\nconsole.log(x);\n", parens(3_000)), &[]);
    ok(&run, "3,000 parentheses in the main module");
    let elses = format!("let a = 0;\nif (a === -1) {{}}{}\nconsole.log(a);\n", " else if (a === 1) {}".repeat(3_000));
    let (_b, run) = run_source("elses.ts", &elses, &[]);
    ok(&run, "3,000 else-ifs");
    let dir = TempDir::new();
    dir.write("nested.ts", &format!("export const x: number = {};\n", parens(200)));
    dir.write("main.ts", "const { x } = await import('./nested.ts');\nconsole.log(x);\n");
    ok(&uringy_in(dir.path(), &["main.ts"]), "200 parentheses in a dynamically imported module (on a fiber)");
    ok(&uringy_in(dir.path(), &["-e", &format!("console.log({})", parens(5_000))]), "5,000 parentheses in -e");
    dir.write(
        "deep.test.ts",
        &format!(
            "import {{ test }} from 'uringy:test';\ntest('deep', () => {{ const x: number = {}; }});\n",
            parens(3_000)
        ),
    );
    let run = uringy_in(dir.path(), &["test", "deep.test.ts"]);
    assert!(run.stdout.ends_with("1 passed, 0 failed\n"), "uringy test: {}{}", run.stdout, run.stderr);
    // Deeper than the engine's own parser goes: a RangeError that names the file, as for `.js`.
    for name in ["deeper.ts", "deeper.js"] {
        let (dir, run) = run_source(name, &format!("const x = {};\n", parens(30_000)), &[]);
        let file = dir.path().join(name).display().to_string();
        assert_eq!(run.status, 1, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("RangeError") && run.stderr.contains(&format!("{file} is nested too deeply")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_token_the_typescript_lexer_could_not_make_is_described_in_words() {
    let (_dir, run) = run_source("lex.ts", "const o = { a: 1 b\\q };\n", &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Invalid or unexpected token: expected unicode escape"), "{}", run.stderr);
    assert!(!run.stderr.contains("lexing error"), "{}", run.stderr);
}

#[test]
fn a_typescript_refusal_is_printed_in_full_not_cut_at_255_bytes() {
    for source in ["class A { constructor(private x: number) {} }\n", "namespace N { export const x = 1 }\n"] {
        let (_dir, run) = run_source("refused.ts", source, &[]);
        assert_eq!(run.status, 1);
        assert!(run.stderr.contains("or explicit fields instead)"), "{}", run.stderr);
    }
}

/// The engine's "Could not find export 'Foo' in module '…/types.ts'" named neither the
/// importing file nor the line, and printed in brackets.
#[test]
fn importing_an_interface_names_the_importing_file_and_line_and_suggests_import_type() {
    let dir = TempDir::new();
    dir.write("types.ts", "export interface Foo { a: number }\nexport type Bar = string;\nexport const x = 1;\n");
    dir.write("app.ts", "import { x,\n  Foo } from './types.ts';\nconst f: Foo = { a: x };\nconsole.log(f);\n");
    let run = uringy_in(dir.path(), &["app.ts"]);
    let app = dir.path().join("app.ts").display().to_string();
    assert_eq!(run.status, 1);
    assert!(run.stderr.starts_with(&format!("{app}:2:3\n  Foo }} from './types.ts';\n  ^\n")), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Uncaught SyntaxError: The requested module './types.ts' does not provide an export named 'Foo'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Foo is a TypeScript interface") && run.stderr.contains("import type { Foo }"),
        "{}",
        run.stderr
    );
    let run = uringy_in(dir.path(), &["-e", "import { Bar } from './types.ts';"]);
    assert!(run.stderr.contains("[eval]:1:10\nimport { Bar } from './types.ts';\n         ^\n"), "{}", run.stderr);
    assert!(run.stderr.contains("Bar is a TypeScript type alias"), "{}", run.stderr);
    assert!(!run.stderr.contains("Uncaught ["), "no brackets: {}", run.stderr);
}

#[test]
fn import_errors_under_eval_are_reported_like_a_file_s_not_in_brackets() {
    let dir = TempDir::new();
    let run = uringy_in(dir.path(), &["-e", "import { x } from './missing.ts';"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("[eval]:1:19\nimport { x } from './missing.ts';\n"), "{}", run.stderr);
    assert!(run.stderr.contains("error: Uncaught Error: Cannot find module './missing.ts'"), "{}", run.stderr);
    assert!(!run.stderr.contains("Uncaught ["), "{}", run.stderr);
}

#[test]
fn a_thrown_value_that_is_not_an_error_says_where_it_was_thrown() {
    let (dir, run) = run_source("app.ts", "throw 'a string';\n", &[]);
    let app = dir.path().join("app.ts").display().to_string();
    assert_eq!(run.status, 1);
    assert!(run.stderr.starts_with("error: Uncaught 'a string'\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("thrown while running {app}")) && run.stderr.contains("no stack trace"),
        "{}",
        run.stderr
    );
    let (dir, run) = run_source("app.ts", "import { spawn } from 'uringy:fiber';\nspawn(() => { throw 7; });\n", &[]);
    let app = dir.path().join("app.ts").display().to_string();
    assert!(
        run.stderr.contains(&format!("thrown out of the fiber running the function at {app}:2:")),
        "{}",
        run.stderr
    );
}

#[test]
fn running_a_directory_runs_its_package_main_or_index_or_says_why_it_cannot() {
    let dir = TempDir::new();
    dir.write("with-index/index.ts", "console.log('index', import.meta.main);\n");
    dir.write("with-main/package.json", "{ \"main\": \"start.js\" }\n");
    dir.write("with-main/start.js", "console.log('main', import.meta.main);\n");
    dir.write("empty/readme.txt", "nothing to run\n");
    assert_eq!(uringy_in(dir.path(), &["with-index"]).stdout, "index true\n");
    assert_eq!(uringy_in(dir.path(), &["with-main"]).stdout, "main true\n");
    let run = uringy_in(dir.path(), &["empty"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("empty is a directory") && run.stderr.contains("index"), "{}", run.stderr);
    assert!(!run.stderr.contains("imported from"), "{}", run.stderr);
}
