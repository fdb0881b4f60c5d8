//! Running out of memory on behalf of JS is an error the program can catch (`code` ENOMEM),
//! never an abort: tested under a limit on address space, as `ulimit -v` sets it.

mod common;

use std::{os::unix::process::CommandExt, process::Command};

use common::{Run, TempDir, BIN};

/// About 1 GB of address space, as `ulimit -v 1000000` gives.
const LIMIT: u64 = 1_000_000 * 1024;

/// Runs `uringy ARGS` in `dir` with its address space limited to [`LIMIT`].
fn run_limited(dir: &TempDir, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir.path());
    // SAFETY: setrlimit is async-signal-safe, and touches nothing of the parent's.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: LIMIT, rlim_max: LIMIT };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().expect("run uringy").into()
}

#[test]
fn a_fiber_stack_that_cannot_be_allocated_is_an_enomem_error_that_spawn_throws() {
    let dir = TempDir::new();
    dir.write(
        "app.ts",
        r#"
import { spawn, sleep } from "uringy:fiber";
let n = 0;
try {
  for (;;) { spawn(() => sleep(50)); n++; }
} catch (e) {
  console.log("caught", (e as { code?: string }).code, n > 10);
}
// Once the sleepers are done their stacks are free again.
sleep(100);
await new Promise((r) => setTimeout(r, 1));
console.log("promise jobs and timers still run");
"#,
    );
    for args in [&["app.ts"][..], &["--stack-size", "8m", "app.ts"]] {
        let run = run_limited(&dir, args);
        assert_eq!(run.stdout, "caught ENOMEM true\npromise jobs and timers still run\n", "{args:?}: {}", run.stderr);
        assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn read_file_of_a_file_larger_than_the_memory_the_process_may_use_throws_enomem() {
    let dir = TempDir::new();
    // Sparse: 1.5 GB of size, no blocks.
    std::fs::File::create(dir.path().join("big.bin")).unwrap().set_len(1_500_000_000).unwrap();
    dir.write(
        "app.ts",
        r#"
import { readFile } from "uringy:fs";
try {
  readFile("big.bin");
  console.log("read it");
} catch (e) {
  console.log((e as { code?: string }).code, (e as Error).message.includes("big.bin"));
}
"#,
    );
    let run = run_limited(&dir, &["app.ts"]);
    assert_eq!(run.stdout, "ENOMEM true\n", "{}", run.stderr);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn a_timer_whose_callback_gets_no_fiber_stack_fails_the_program_with_enomem_instead_of_hanging() {
    let dir = TempDir::new();
    dir.write(
        "app.ts",
        r#"
import { spawn, sleep } from "uringy:fiber";
try {
  for (;;) spawn(() => sleep(200));
} catch {
  // every stack is taken until the sleepers are done
}
setTimeout(() => console.log("ran without a stack?"), 1);
sleep(100);
"#,
    );
    let run = run_limited(&dir, &["app.ts"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("ENOMEM") && run.stderr.contains("a stack for a new fiber"), "{}", run.stderr);
    assert!(!run.stderr.contains("is waiting and nothing is left"), "{}", run.stderr);
}
