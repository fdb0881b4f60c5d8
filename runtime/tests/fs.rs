//! File operations that need what JS cannot make: a FIFO, whose open waits for a writer.

mod common;

use std::ffi::CString;

use common::run_source;

#[test]
fn a_read_file_waiting_on_a_fifo_is_cancelled_by_timeout_and_throws_timeout_error_not_ecanceled() {
    let (dir, _) = run_source("noop.ts", "", &[]);
    let fifo = dir.path().join("fifo");
    let path = CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain syscall on a path we own.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    dir.write(
        "read.ts",
        &format!(
            r#"
            import {{ readFile }} from "uringy:fs";
            import {{ timeout, TimeoutError }} from "uringy:fiber";
            const start = performance.now();
            try {{
              timeout(100, () => readFile({fifo:?}));
              console.log("read, which no writer allows");
            }} catch (e) {{
              console.log(e instanceof TimeoutError ? "timed out" : `other: ${{e}}`);
            }}
            console.log(performance.now() - start < 5000 ? "promptly" : "late");
            "#,
            fifo = fifo.to_str().unwrap()
        ),
    );
    let run = common::uringy_in(dir.path(), &["read.ts"]);
    assert_eq!(run.stdout, "timed out\npromptly\n", "{}", run.stderr);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

/// Makes a FIFO named `name` in `dir`.
fn fifo(dir: &common::TempDir, name: &str) -> String {
    let path = dir.path().join(name).to_str().unwrap().to_owned();
    let c = CString::new(path.clone()).unwrap();
    // SAFETY: a plain syscall on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    path
}

/// A creating open of a FIFO with no reader ran on one of io_uring's kernel workers and held
/// it: cancelling gave `Error E512: error 512`, and eight of them starved every other file
/// operation (a `readDir` of the root never completed).
#[test]
fn opens_of_a_fifo_with_no_reader_are_cancelled_cleanly_and_never_stop_other_file_calls() {
    let (dir, _) = run_source("noop.ts", "", &[]);
    let path = fifo(&dir, "fifo");
    dir.write(
        "app.ts",
        &format!(
            r#"
            import {{ writeFile, copyFile, open, stat, mkdir, remove, readDir }} from "uringy:fs";
            import {{ spawn, timeout, TimeoutError }} from "uringy:fiber";
            const fifo = {path:?};
            writeFile("source.txt", "x");
            const blocked = [
              () => writeFile(fifo, "x"),
              () => copyFile("source.txt", fifo),
              () => open(fifo, {{ write: true, create: true }}),
              () => open(fifo, {{ write: true }}),
            ];
            const outcomes = new Set<string>();
            const fibers = [];
            for (let i = 0; i < 40; i++) {{
              fibers.push(spawn(() => {{
                try {{ timeout(500, blocked[i % blocked.length]); outcomes.add("opened"); }}
                catch (e) {{ outcomes.add(e instanceof TimeoutError ? "timed out" : String(e)); }}
              }}));
            }}
            const started = performance.now();
            stat("source.txt"); mkdir("d"); remove("d"); readDir(".");
            const others = performance.now() - started;
            for (const f of fibers) f.join();
            console.log([...outcomes].join(", "), others < 250 ? "others went on" : `others waited ${{others}} ms`);
            "#
        ),
    );
    let run = common::uringy_in(dir.path(), &["app.ts"]);
    assert_eq!(run.stdout, "timed out others went on\n", "{}", run.stderr);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn write_file_to_a_fifo_waits_for_a_reader_as_open_does_then_writes() {
    let (dir, _) = run_source("noop.ts", "", &[]);
    let path = fifo(&dir, "fifo");
    dir.write(
        "app.ts",
        &format!("import {{ writeFile }} from 'uringy:fs';\nwriteFile({path:?}, 'through the fifo\\n');\n"),
    );
    let child = std::process::Command::new(common::BIN)
        .arg("app.ts")
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    // The reader comes after the writer started waiting.
    let read = std::fs::read_to_string(&path).unwrap();
    let run: common::Run = child.wait_with_output().unwrap().into();
    assert_eq!(read, "through the fifo\n");
    assert_eq!((run.status, run.stderr.as_str()), (0, ""));
}

/// Regression: readDir's entry objects were handed to the engine in a way that leaked a
/// reference to the whole context, which the teardown check (`URINGY_CHECK_LEAKS=1`) found
/// as objects still alive when the engine was freed.
#[test]
fn read_dir_entries_leave_nothing_referenced_at_teardown() {
    let dir = common::TempDir::new();
    dir.write("a.txt", "a");
    dir.write("sub/b.txt", "b");
    dir.write(
        "list.ts",
        "import { readDir } from 'uringy:fs';\nconsole.log(readDir('.').map((e) => e.name).sort().join(','));\n",
    );
    let output = std::process::Command::new(common::BIN)
        .arg("list.ts")
        .current_dir(dir.path())
        .env("URINGY_CHECK_LEAKS", "1")
        .output()
        .expect("run uringy");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout, "a.txt,list.ts,sub\n");
}
