//! Standard output and error as a program's reader sees them: a reader that goes away
//! (`prog | head -1`) and a disk that is full.

mod common;

use std::{
    io::{BufRead, BufReader},
    os::unix::process::ExitStatusExt,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{TempDir, BIN};

/// Runs `source` with its stdout piped, reads one line, closes the pipe, and waits (at most
/// 10 s) for the program to end: its status, and what it wrote to stderr.
fn head_one(source: &str) -> (std::process::ExitStatus, String, Duration) {
    let dir = TempDir::new();
    dir.write("app.ts", source);
    let mut child = Command::new(BIN)
        .arg("app.ts")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line, "y\n");
    let closed = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status, stderr, closed.elapsed());
        }
        if closed.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("still running 10 s after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_program_printing_to_a_pipe_whose_reader_left_ends_quietly_as_on_sigpipe() {
    for (how, source) in [
        ("console.log", "for (;;) console.log('y');\n"),
        ("process.stdout.write", "for (;;) process.stdout.write('y\\n');\n"),
        ("uringy:io stdout", "import { stdout } from 'uringy:io';\nfor (;;) stdout.write('y\\n');\n"),
    ] {
        let (status, stderr, took) = head_one(source);
        assert_eq!(status.signal(), Some(libc::SIGPIPE), "{how}: {status:?} {stderr}");
        assert_eq!(stderr, "", "{how}");
        assert!(took < Duration::from_secs(5), "{how}: {took:?}");
    }
}

#[test]
fn a_program_that_listens_for_sigpipe_gets_an_epipe_error_it_can_handle_instead() {
    let source = "import { onSignal } from 'uringy:process';\nonSignal('SIGPIPE', () => {});\ntry { for (;;) console.log('y'); } catch (e) { console.error('caught', (e as { code?: string }).code); }\n";
    let (status, stderr, _) = head_one(source);
    assert_eq!((status.code(), stderr.as_str()), (Some(0), "caught EPIPE\n"));
}

#[test]
fn console_log_to_a_full_disk_throws_an_error_with_code_enospc() {
    let dir = TempDir::new();
    dir.write(
        "app.ts",
        "try { console.log('x'); } catch (e) { console.error((e as { code?: string }).code, (e as Error).message); }\n",
    );
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = Command::new(BIN).arg("app.ts").current_dir(dir.path()).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "ENOSPC ENOSPC: no space left on device, write\n");
    assert!(output.status.success());
}
