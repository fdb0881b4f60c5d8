//! `uringy test`: finds test files, runs each in its own child process (isolation: a crash,
//! a runaway loop or `process.exit` in one file cannot take the others down), several at a
//! time, and adds up what they report.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    thread,
};

/// Starts the line a test child prints last: `TAG passed failed skipped`.
pub const SUMMARY_TAG: &str = "\u{1}uringy-test-summary ";

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    skipped: u64,
    /// Files that ended without a summary (crashed, exited, failed to load), and how.
    broken: Vec<(PathBuf, String)>,
}

/// Runs the test files under `paths`, `threads` files at a time (default: one per CPU).
pub fn run_all(paths: &[PathBuf], threads: Option<usize>) -> u8 {
    let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let mut files = Vec::new();
    for root in &roots {
        if root.is_file() {
            files.push(root.clone());
        } else if root.is_dir() {
            find_tests(root, &mut files);
        } else {
            eprintln!("error: test path not found: {}", root.display());
            return 1;
        }
    }
    files.sort();
    if files.is_empty() {
        eprintln!(
            "error: no test files (*.test.ts, *.test.js, …) found in {}",
            roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ")
        );
        return 1;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find the uringy executable to run tests with: {e}");
            return 1;
        }
    };
    let workers = threads.unwrap_or_else(crate::uring::sys::process::cpus_allowed).min(files.len());
    let queue = Arc::new(Mutex::new(files.into_iter()));
    let totals = Arc::new(Mutex::new(Totals::default()));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (queue, totals, exe) = (queue.clone(), totals.clone(), exe.clone());
            thread::spawn(move || loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(file) = next else { break };
                run_file(&exe, &file, &totals);
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.join();
    }
    let totals = totals.lock().unwrap_or_else(|e| e.into_inner());
    for (file, how) in &totals.broken {
        println!("FAIL {}: {how} before reporting its results (see its output above)", file.display());
    }
    let failed = totals.failed + totals.broken.len() as u64;
    let skipped = if totals.skipped > 0 { format!(", {} skipped", totals.skipped) } else { String::new() };
    println!("\n{} passed, {} failed{skipped}", totals.passed, failed);
    u8::from(failed > 0)
}

fn run_file(exe: &Path, file: &Path, totals: &Mutex<Totals>) {
    let output = Command::new(exe).arg("--test-child").arg(file).stdin(Stdio::null()).output();
    let mut totals = totals.lock().unwrap_or_else(|e| e.into_inner());
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            totals.broken.push((file.to_path_buf(), format!("could not be started ({e})")));
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut summary = None;
    println!("{}", file.display());
    for line in stdout.lines() {
        match line.strip_prefix(SUMMARY_TAG) {
            Some(counts) => {
                summary = Some(counts.split(' ').map(|n| n.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>())
            }
            None => println!("{line}"),
        }
    }
    // The file's errors belong in its block, not wherever stderr happens to land.
    print!("{}", String::from_utf8_lossy(&output.stderr));
    let how = || match output.status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("was killed ({})", output.status),
    };
    match summary.as_deref() {
        Some(&[passed, failed, skipped]) => {
            totals.passed += passed;
            totals.failed += failed;
            totals.skipped += skipped;
            // A file whose tests all ran can still fail on its way out (a leak found when the
            // runtime is torn down, a crash): its status says so.
            let expected = if failed > 0 { 1 } else { 0 };
            if output.status.code() != Some(expected) {
                totals.broken.push((file.to_path_buf(), format!("{} after its tests ran", how())));
            }
        }
        _ => totals.broken.push((file.to_path_buf(), how())),
    }
}

fn find_tests(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if name != "node_modules" && !name.starts_with('.') {
                find_tests(&path, into);
            }
        } else if is_test_file(&name) {
            into.push(path);
        }
    }
}

fn is_test_file(name: &str) -> bool {
    [".test.ts", ".test.mts", ".test.js", ".test.mjs"].iter().any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::is_test_file;

    #[test]
    fn only_test_files_are_collected() {
        assert!(is_test_file("fs.test.ts") && is_test_file("a.test.mjs"));
        assert!(!is_test_file("fs.ts") && !is_test_file("test.ts") && !is_test_file("x.test.d"));
    }
}
