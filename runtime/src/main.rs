//! `uringy`: a JavaScript/TypeScript runtime whose IO suspends fibers instead of returning
//! promises. This file only turns the command line into a command and its exit status.

use std::process::ExitCode;

use uringy::cli;

fn main() -> ExitCode {
    // A panic is a bug in the runtime, never the program's fault: say so plainly.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("uringy: internal error: {info}\nThis is a bug in Uringy, not in your program; please report it.");
    }));
    let status = match cli::parse(std::env::args_os().skip(1)) {
        Ok(command) => cli::run(command),
        Err(message) => {
            eprintln!("error: {message}\n\n{}", cli::USAGE);
            2
        }
    };
    ExitCode::from(status)
}
