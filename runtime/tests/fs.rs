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
