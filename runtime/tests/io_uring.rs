//! Where io_uring cannot be used, uringy says so in one line with the fix, and exits 2.

mod common;

use std::{os::unix::process::CommandExt, process::Command};

use common::{TempDir, BIN};

/// Makes `io_uring_setup(2)` fail with EPERM in the child, as Docker's default seccomp
/// profile does.
fn forbid_io_uring(command: &mut Command) {
    const IO_URING_SETUP: u32 = 425;
    let filter = [
        // A = seccomp_data.nr
        libc::sock_filter { code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16, jt: 0, jf: 0, k: 0 },
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: IO_URING_SETUP,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
        },
        libc::sock_filter { code: (libc::BPF_RET | libc::BPF_K) as u16, jt: 0, jf: 0, k: libc::SECCOMP_RET_ALLOW },
    ];
    // SAFETY: between fork and exec only async-signal-safe calls (prctl) run; the filter
    // outlives them (it is moved into the closure).
    unsafe {
        command.pre_exec(move || {
            let program = libc::sock_fprog { len: filter.len() as u16, filter: filter.as_ptr() as *mut _ };
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                || libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &program as *const _, 0, 0) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[test]
fn io_uring_forbidden_by_seccomp_is_one_clear_line_with_the_fix_and_exit_2() {
    let dir = TempDir::new();
    dir.write("app.ts", "console.log('must not run');\n");
    let mut command = Command::new(BIN);
    command.arg("app.ts").current_dir(dir.path());
    forbid_io_uring(&mut command);
    let output = command.output().expect("run uringy under seccomp");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line, no backtrace: {stderr}");
    assert!(stderr.contains("io_uring") && stderr.contains("EPERM") && stderr.contains("Fix:"), "{stderr}");
    assert!(output.stdout.is_empty());
}
