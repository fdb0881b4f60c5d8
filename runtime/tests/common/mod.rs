//! Helpers for tests that run the built `uringy` binary as a child process.

#![allow(dead_code)] // each test binary uses its own subset

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::atomic::{AtomicUsize, Ordering},
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
