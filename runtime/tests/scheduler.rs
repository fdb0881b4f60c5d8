//! The scheduler's use of the ring, observed from outside with strace.

mod common;

use std::process::Command;

use common::{TempDir, BIN};

/// How many times the program called `io_uring_enter`, counted by strace.
fn io_uring_enters(dir: &TempDir, file: &str) -> (usize, String) {
    let log = dir.path().join("strace.log");
    let output = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=io_uring_enter", "-o"])
        .arg(&log)
        .arg(BIN)
        .arg(file)
        .current_dir(dir.path())
        .output()
        .expect("strace is needed for this test (apt-get install strace)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let calls = std::fs::read_to_string(log).unwrap().lines().filter(|l| l.contains("io_uring_enter(")).count();
    (calls, stdout)
}

/// Thousands of turns in which a fiber is ready cost no `io_uring_enter`; the ring is entered
/// only to wait, once per idle turn — and the yielding fiber does not keep the timer waiting.
#[test]
fn the_ring_is_entered_only_to_wait_and_at_most_once_per_turn() {
    let dir = TempDir::new();
    dir.write(
        "busy.ts",
        "import { spawn, yieldNow, sleep } from 'uringy:fiber';\n\
         let fired = 0;\n\
         setTimeout(() => { fired = performance.now(); }, 5);\n\
         const start = performance.now();\n\
         let turns = 0;\n\
         while (performance.now() - start < 30) { yieldNow(); turns++; }\n\
         spawn(() => sleep(10)).join();\n\
         console.log(turns, fired > 0 && fired - start < 25);\n",
    );
    let (enters, stdout) = io_uring_enters(&dir, "busy.ts");
    let mut fields = stdout.split_whitespace();
    let turns: usize = fields.next().and_then(|t| t.parse().ok()).unwrap_or(0);
    assert!(turns > 1000, "the loop should take many turns: {stdout}");
    assert_eq!(fields.next(), Some("true"), "the timer fired on time while a fiber kept yielding: {stdout}");
    // Waits: the final sleep (and at most a few idle turns around it), never one per turn.
    assert!(enters <= 5, "{enters} io_uring_enter calls for {turns} turns");
}
