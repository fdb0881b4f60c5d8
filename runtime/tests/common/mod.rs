//! Helpers for tests that run the built `uringy` binary as a child process.

#![allow(dead_code)] // each test binary uses its own subset

use std::{
    io::{BufRead, BufReader, Read},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Output, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_uringy");

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("uringy-cli-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(std::fs::canonicalize(dir).unwrap())
    }

    /// Writes `text` to `name` (creating parent directories); returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run printed and how it ended.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        let run = Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "a Rust panic reached the user:\n{}", run.stderr);
        run
    }
}

/// Runs `uringy ARGS` in `dir`.
pub fn uringy_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(BIN).args(args).current_dir(dir).output().expect("run uringy").into()
}

/// Writes `source` to `name` in a new temp dir and runs it with `args`.
pub fn run_source(name: &str, source: &str, args: &[&str]) -> (TempDir, Run) {
    let dir = TempDir::new();
    dir.write(name, source);
    let mut all = vec![name];
    all.extend_from_slice(args);
    let run = uringy_in(dir.path(), &all);
    (dir, run)
}

/// A running `uringy` whose stdout lines arrive on a channel.
pub struct Program {
    pub child: Child,
    lines: mpsc::Receiver<String>,
}

impl Program {
    pub fn start(dir: &Path, script: &Path, configure: impl FnOnce(&mut Command)) -> Program {
        Program::start_args(dir, &[script.as_os_str()], configure)
    }

    /// `uringy ARGS` in `dir`.
    pub fn start_args(dir: &Path, args: &[&std::ffi::OsStr], configure: impl FnOnce(&mut Command)) -> Program {
        let mut command = Command::new(BIN);
        command.args(args).current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::piped());
        configure(&mut command);
        let mut child = command.spawn().expect("start uringy");
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Program { child, lines }
    }

    /// The next line of output, waiting at most 10 s.
    pub fn line(&mut self) -> String {
        match self.lines.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(e) => {
                let _ = self.child.kill();
                let mut stderr = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut stderr);
                panic!("no line of output within 10 s ({e}); stderr:\n{stderr}");
            }
        }
    }

    pub fn signal(&self, signo: i32) {
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, signo) }, 0);
    }

    /// Waits for the exit (at most 10 s): the status code (or 128 + signal) and stderr.
    pub fn finish(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
                assert!(!stderr.contains("panicked"), "a Rust panic reached the user:\n{stderr}");
                use std::os::unix::process::ExitStatusExt;
                let code = status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
                return (code, stderr);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("uringy did not exit within 10 s");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Connects, retrying while the server is starting.
pub fn connect(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => {
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                return stream;
            }
            Err(e) if Instant::now() > deadline => panic!("connect to port {port}: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}
