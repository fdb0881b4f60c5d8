//! `uringy`: a JavaScript/TypeScript runtime whose IO suspends fibers instead of returning
//! promises. This file only turns the command line into a command and its exit status.

mod cli;
mod engine;
mod loader;
mod ops;
mod test_runner;
mod uring;

use std::process::ExitCode;

fn main() -> ExitCode {
    let status = match cli::parse(std::env::args_os().skip(1)) {
        Ok(command) => cli::run(command),
        Err(message) => {
            eprintln!("error: {message}\n\n{}", cli::USAGE);
            2
        }
    };
    ExitCode::from(status)
}
