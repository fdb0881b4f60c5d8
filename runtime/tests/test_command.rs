//! `uringy test`: discovery, isolation, time limits, and the summary line.

mod common;

use common::{uringy_in, TempDir, BIN};

#[test]
fn test_files_are_found_run_and_summed_up() {
    let dir = TempDir::new();
    dir.write("a.test.ts", "import { test, expect } from 'uringy:test';\ntest('adds', () => expect(1 + 1).toBe(2));\ntest('async', async () => { await new Promise((r) => setTimeout(r, 1)); });\n");
    dir.write("sub/b.test.js", "import { test, expect } from 'uringy:test';\ntest('fails', () => expect([1]).toEqual([2]));\ntest.skip('skipped', () => {});\n");
    dir.write("not_a_test.ts", "throw new Error('must not run');\n");
    dir.write("node_modules/pkg/x.test.js", "throw new Error('must not run');\n");
    let run = uringy_in(dir.path(), &["test"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stdout.ends_with("\n2 passed, 1 failed, 1 skipped\n"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ fails") && run.stdout.contains("b.test.js:2:"), "{}", run.stdout);
}

#[test]
fn all_passing_exits_0() {
    let dir = TempDir::new();
    dir.write("ok.test.ts", "import { test, describe, beforeEach, expect } from 'uringy:test';\nlet n = 0;\nbeforeEach(() => { n++; });\ndescribe('group', () => { test('one', () => expect(n).toBe(1)); test('two', () => expect(n).toBe(2)); });\n");
    let run = uringy_in(dir.path(), &["test", "ok.test.ts"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(run.stdout.ends_with("\n2 passed, 0 failed\n"), "{}", run.stdout);
}

#[test]
fn a_test_stuck_in_a_loop_or_a_promise_fails_by_its_time_limit_and_the_rest_still_run() {
    let dir = TempDir::new();
    dir.write(
        "slow.test.ts",
        "import { test } from 'uringy:test';\ntest('loops', () => { while (true) {} }, { timeout: 100 });\ntest('waits', () => new Promise(() => {}), 100);\ntest('runs after', () => {});\n",
    );
    let run = uringy_in(dir.path(), &["test"]);
    assert!(run.stdout.contains("✗ loops") && run.stdout.contains("synchronous code ran past"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ waits") && run.stdout.contains("timed out after 100 ms"), "{}", run.stdout);
    assert!(run.stdout.ends_with("\n1 passed, 2 failed\n"), "{}", run.stdout);
}

#[test]
fn an_error_escaping_a_test_through_a_timer_fails_that_test_only() {
    let dir = TempDir::new();
    dir.write(
        "escape.test.ts",
        "import { test } from 'uringy:test';\ntest('throws later', async () => { setTimeout(() => { throw new Error('escaped'); }, 1); await new Promise((r) => setTimeout(r, 20)); });\ntest('next', () => {});\n",
    );
    let run = uringy_in(dir.path(), &["test"]);
    assert!(run.stdout.contains("✗ throws later") && run.stdout.contains("escaped"), "{}", run.stdout);
    assert!(run.stdout.ends_with("\n1 passed, 1 failed\n"), "{}", run.stdout);
}

#[test]
fn an_unhandled_rejection_inside_a_test_fails_that_test_only() {
    let dir = TempDir::new();
    dir.write(
        "reject.test.ts",
        "import { test } from 'uringy:test';\ntest('rejects', () => { Promise.reject(new Error('unhandled in a test')); });\ntest('rejects in an async test', async () => { Promise.reject(new Error('also unhandled')); });\ntest('next', () => {});\n",
    );
    let run = uringy_in(dir.path(), &["test"]);
    assert!(run.stdout.contains("✗ rejects") && run.stdout.contains("unhandled in a test"), "{}", run.stdout);
    assert!(
        run.stdout.contains("✗ rejects in an async test") && run.stdout.contains("also unhandled"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("\n1 passed, 2 failed\n"), "{}", run.stdout);
}

#[test]
fn a_file_that_exits_or_does_not_compile_fails_without_stopping_the_others() {
    let dir = TempDir::new();
    dir.write("exit.test.js", "process.exit(3);\n");
    dir.write("broken.test.ts", "const x = (;\n");
    dir.write("fine.test.ts", "import { test } from 'uringy:test';\ntest('fine', () => {});\n");
    let run = uringy_in(dir.path(), &["test"]);
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("exit.test.js: exited with status 3"), "{}", run.stdout);
    assert!(run.stdout.contains("broken.test.ts:1:12"), "{}", run.stdout);
    assert!(run.stdout.ends_with("\n1 passed, 2 failed\n"), "{}", run.stdout);
}

/// The runtime of a test file can still fail once its tests have reported (a leak found at
/// teardown aborts it): the file fails, whatever its summary said.
#[test]
fn a_file_that_fails_after_its_tests_ran_fails() {
    let dir = TempDir::new();
    dir.write("late.test.js", "console.log('\\u0001uringy-test-summary 1 0 0');\nprocess.exit(7);\n");
    let run = uringy_in(dir.path(), &["test"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stdout.contains("late.test.js: exited with status 7 after its tests ran"), "{}", run.stdout);
}

#[test]
fn no_test_files_is_an_error() {
    let dir = TempDir::new();
    let run = uringy_in(dir.path(), &["test"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no test files"), "{}", run.stderr);
}

/// The project's own TypeScript suite, `tests/`, run by the binary under test: one
/// `cargo test` runs both the Rust and the TypeScript tests. Each file's runtime is torn down
/// at the end with the leak checks on: an engine object still referenced, a descriptor left
/// open or an operation not given back fails the file.
#[test]
fn typescript_suite() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let output = std::process::Command::new(BIN)
        .arg("test")
        .arg(&tests)
        .env("URINGY_CHECK_LEAKS", "1")
        .output()
        .expect("run uringy test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        output.status.success(),
        "the TypeScript suite failed: {summary}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let count = |word: &str| {
        summary.split(", ").find_map(|part| part.strip_suffix(word)?.trim().parse::<u64>().ok()).unwrap_or(0)
    };
    assert!(count(" failed") == 0 && count(" passed") > 0, "{summary}");
}
