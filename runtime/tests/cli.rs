//! The command line as a user meets it: running files, arguments, exit statuses, usage.

mod common;

use common::{run_source, uringy_in, TempDir};

#[test]
fn a_typescript_file_runs_and_receives_its_arguments() {
    let (dir, run) = run_source(
        "app.ts",
        "const n: number = 2;\nconsole.log(n * 21, JSON.stringify(process.argv.slice(1)));\n",
        &["--port", "80", "x"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let app = dir.path().join("app.ts");
    assert_eq!(run.stdout, format!("42 {}\n", serde_json::json!([app, "--port", "80", "x"])));
}

#[test]
fn run_subcommand_runs_js_mjs_and_mts_files() {
    let dir = TempDir::new();
    for (name, source) in [
        ("a.js", "console.log('js')"),
        ("b.mjs", "console.log('mjs')"),
        ("c.mts", "const x: string = 'mts'; console.log(x)"),
    ] {
        dir.write(name, source);
        let run = uringy_in(dir.path(), &["run", name]);
        assert_eq!((run.status, run.stdout.trim()), (0, name.split('.').nth(1).unwrap()), "{}", run.stderr);
    }
}

#[test]
fn eval_runs_code_in_both_spellings() {
    let dir = TempDir::new();
    for args in [["-e", "console.log(1 + 1)"], ["eval", "console.log(1 + 1)"]] {
        let run = uringy_in(dir.path(), &args);
        assert_eq!((run.status, run.stdout.as_str()), (0, "2\n"), "{}", run.stderr);
    }
    let typed = uringy_in(dir.path(), &["-e", "const s: string = 'typed'; console.log(s)"]);
    assert_eq!(typed.stdout, "typed\n", "{}", typed.stderr);
}

#[test]
fn version_and_help_print_and_succeed() {
    let dir = TempDir::new();
    let version = uringy_in(dir.path(), &["--version"]);
    assert_eq!((version.status, version.stdout.trim()), (0, concat!("uringy ", env!("CARGO_PKG_VERSION"))));
    let help = uringy_in(dir.path(), &["--help"]);
    assert_eq!(help.status, 0);
    assert!(help.stdout.contains("Usage:") && help.stdout.contains("uringy test"), "{}", help.stdout);
}

#[test]
fn a_wrong_flag_prints_usage_and_exits_2() {
    let dir = TempDir::new();
    let run = uringy_in(dir.path(), &["--frobnicate", "app.ts"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("--frobnicate") && run.stderr.contains("Usage:"), "{}", run.stderr);
    let none = uringy_in(dir.path(), &[]);
    assert_eq!(none.status, 2, "{}", none.stderr);
}

#[test]
fn process_exit_ends_at_once_with_its_status() {
    let (_dir, run) = run_source("exit.ts", "console.log('before');\nprocess.exit(7);\nconsole.log('after');\n", &[]);
    assert_eq!((run.status, run.stdout.as_str()), (7, "before\n"));
}

#[test]
fn process_exit_code_sets_the_status_when_the_program_ends() {
    let (_dir, run) =
        run_source("code.ts", "process.exitCode = 3;\nsetTimeout(() => console.log('still ran'), 5);\n", &[]);
    assert_eq!((run.status, run.stdout.as_str()), (3, "still ran\n"));
}

#[test]
fn the_program_waits_for_pending_timers_and_top_level_await() {
    let (_dir, run) = run_source(
        "wait.ts",
        "await new Promise((r) => setTimeout(r, 20));\nsetTimeout(() => console.log('timer'), 10);\nconsole.log('after await');\n",
        &[],
    );
    assert_eq!((run.status, run.stdout.as_str()), (0, "after await\ntimer\n"), "{}", run.stderr);
}

#[test]
fn a_top_level_await_that_never_settles_is_reported() {
    let (_dir, run) = run_source("stuck.ts", "await new Promise(() => {});\n", &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("never settled") && run.stderr.contains("stuck.ts"), "{}", run.stderr);
}

#[test]
fn the_binary_needs_no_files_besides_itself() {
    // Run from the filesystem root: the standard library is inside the executable.
    let run = uringy_in(
        std::path::Path::new("/"),
        &["-e", "console.log(new URL('http://a/b').pathname, typeof structuredClone)"],
    );
    assert_eq!((run.status, run.stdout.as_str()), (0, "/b function\n"), "{}", run.stderr);
}

#[test]
fn console_writes_log_to_stdout_and_error_to_stderr() {
    let (_dir, run) =
        run_source("c.ts", "console.log('out', 1);\nconsole.error('err', { a: 1 });\nconsole.warn('warn');\n", &[]);
    assert_eq!(run.stdout, "out 1\n");
    assert_eq!(run.stderr, "err { a: 1 }\nwarn\n");
}

#[test]
fn console_prints_values_the_way_node_does() {
    let source = r#"
class Point { constructor(x, y) { this.x = x; this.y = y; } }
const cyclic = { name: "c" }; cyclic.self = cyclic;
console.log({ a: 1, b: "two", c: [1, 2, 3], d: { e: { f: { g: 1 } } } });
console.log(new Map([["k", 1]]), new Set([1, "x"]), new Point(1, 2));
console.log(cyclic);
console.log([undefined, null, 10n, Symbol("s"), -0]);
console.log("%s is %d years", "Ann", 42, "extra");
console.log(function named() {}, class K {});
"#;
    let (_dir, run) = run_source("p.js", source, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let expected = "{ a: 1, b: 'two', c: [ 1, 2, 3 ], d: { e: { f: [Object] } } }\n\
                    Map(1) { 'k' => 1 } Set(2) { 1, 'x' } Point { x: 1, y: 2 }\n\
                    <ref *1> { name: 'c', self: [Circular *1] }\n\
                    [ undefined, null, 10n, Symbol(s), -0 ]\n\
                    Ann is 42 years extra\n\
                    [Function: named] [class K]\n";
    assert_eq!(run.stdout, expected);
}

#[test]
fn console_prints_errors_with_their_stack() {
    let (dir, run) =
        run_source("e.ts", "function boom(): Error {\n  return new Error('bad');\n}\nconsole.log(boom());\n", &[]);
    let file = dir.path().join("e.ts").display().to_string();
    assert!(run.stdout.starts_with("Error: bad\n    at boom ("), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{file}:2:14)")), "{}", run.stdout);
}
