//! The command line, in two stages: raw arguments → [`Command`], then [`run`].

use std::{ffi::OsString, path::PathBuf};

use lexopt::{Arg, Parser, ValueExt};

use crate::{
    engine::{self, Options},
    test_runner,
};

pub const USAGE: &str = "\
Usage:
  uringy [OPTIONS] FILE [ARGS...]      run a .ts, .mts, .js or .mjs file
  uringy run [OPTIONS] FILE [ARGS...]  the same
  uringy test [--threads N] [PATHS...] run *.test.ts / *.test.js files (default: .)
  uringy eval CODE, uringy -e CODE     run CODE as a module
  uringy --version | --help

Options:
  -e, --eval CODE    run CODE instead of a file
  --threads N        run the program on N threads, each with its own engine and ring
                     (N a number, or auto: one per CPU the process may use; default 1)
  --stack-size SIZE  stack of each fiber, e.g. 1m (default 8m, address space only)
  -h, --help         print this help
  -V, --version      print the version";

/// What the user asked for.
#[derive(Debug)]
pub enum Command {
    Run {
        file: PathBuf,
        args: Vec<String>,
        stack_size: usize,
        threads: usize,
    },
    Eval {
        code: String,
        args: Vec<String>,
        stack_size: usize,
        threads: usize,
    },
    Test {
        paths: Vec<PathBuf>,
        /// Test files run at once, each in its own process (default: one per CPU).
        threads: Option<usize>,
    },
    /// Internal: runs one test file and reports to the parent `uringy test`.
    TestChild {
        file: PathBuf,
    },
    Help,
    Version,
}

/// Each fiber's stack unless `--stack-size` says otherwise: the main thread's 8 MiB, about 13,000
/// levels of plain JS calls, so code recurses as deeply in a fiber, a promise callback or a
/// timer as in the main module. It is address space: only the pages a fiber touches use
/// memory. Where address space is limited (`ulimit -v`), 256 KiB (about 350 levels), so that
/// thousands of fibers still fit.
pub fn default_stack_size() -> usize {
    if crate::uring::sys::process::address_space_limit().is_some() {
        256 * 1024
    } else {
        8 * 1024 * 1024
    }
}

/// `256k`, `1m`, `65536`: bytes, at least 16 KiB and at most 1 GiB.
fn parse_size(text: &str) -> Result<usize, String> {
    let lower = text.to_ascii_lowercase();
    let (digits, unit) = match lower.strip_suffix(['k', 'm']) {
        Some(d) => (d, if lower.ends_with('k') { 1024 } else { 1024 * 1024 }),
        None => (lower.as_str(), 1),
    };
    let size = digits.parse::<usize>().ok().and_then(|n| n.checked_mul(unit));
    match size {
        Some(size) if (16 * 1024..=1 << 30).contains(&size) => Ok(size),
        _ => Err(format!("--stack-size {text}: give a size from 16k to 1024m, such as 256k or 1m")),
    }
}

/// `4`, `auto`: threads, from 1 to 1024.
fn parse_threads(text: &str) -> Result<usize, String> {
    if text == "auto" {
        return Ok(engine::threads::auto());
    }
    match text.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("--threads {text}: give a number from 1 to 1024, or auto (one per CPU)")),
    }
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut parser = Parser::from_args(args);
    let err = |e: lexopt::Error| e.to_string();
    let mut subcommand: Option<String> = None;
    let mut stack_size = default_stack_size();
    let mut threads = 1;
    loop {
        let arg = parser.next().map_err(err)?;
        match arg {
            None => break,
            Some(Arg::Short('h') | Arg::Long("help")) => return Ok(Command::Help),
            Some(Arg::Short('V') | Arg::Long("version")) => return Ok(Command::Version),
            Some(Arg::Short('e') | Arg::Long("eval")) => {
                let code = parser.value().map_err(err)?.string().map_err(err)?;
                return Ok(Command::Eval { code, args: rest(&mut parser)?, stack_size, threads });
            }
            Some(Arg::Long("threads")) => {
                threads = parse_threads(&parser.value().map_err(err)?.string().map_err(err)?)?;
            }
            Some(Arg::Long("stack-size")) => {
                stack_size = parse_size(&parser.value().map_err(err)?.string().map_err(err)?)?;
            }
            Some(Arg::Long("test-child")) => {
                let file = parser.value().map_err(err)?.into();
                return Ok(Command::TestChild { file });
            }
            Some(Arg::Value(value)) => {
                let value = value.string().map_err(err)?;
                match (subcommand.as_deref(), value.as_str()) {
                    (None, "run") => subcommand = Some(value),
                    (None, "eval") => {
                        let code = parser.value().map_err(|_| "eval needs CODE".to_string())?;
                        let code = code.string().map_err(err)?;
                        return Ok(Command::Eval { code, args: rest(&mut parser)?, stack_size, threads });
                    }
                    (None, "test") => {
                        let mut paths = Vec::new();
                        let mut threads = None;
                        while let Some(arg) = parser.next().map_err(err)? {
                            match arg {
                                Arg::Value(path) => paths.push(path.into()),
                                Arg::Long("threads") => {
                                    threads =
                                        Some(parse_threads(&parser.value().map_err(err)?.string().map_err(err)?)?);
                                }
                                other => return Err(other.unexpected().to_string()),
                            }
                        }
                        return Ok(Command::Test { paths, threads });
                    }
                    // Everything after FILE belongs to the program, flags included.
                    _ => {
                        let args = rest(&mut parser)?;
                        return Ok(Command::Run { file: value.into(), args, stack_size, threads });
                    }
                }
            }
            Some(other) => return Err(other.unexpected().to_string()),
        }
    }
    match subcommand {
        Some(_) => Err("run needs a FILE".into()),
        None => Err("no FILE given".into()),
    }
}

fn rest(parser: &mut Parser) -> Result<Vec<String>, String> {
    parser
        .raw_args()
        .map_err(|e| e.to_string())?
        .map(|a| a.into_string().map_err(|a| format!("argument is not UTF-8: {a:?}")))
        .collect()
}

/// Runs `command`; returns the process exit status.
pub fn run(command: Command) -> u8 {
    match command {
        Command::Help => {
            println!(
                "uringy {} — JavaScript and TypeScript on fibers and io_uring\n\n{USAGE}",
                env!("CARGO_PKG_VERSION")
            );
            0
        }
        Command::Version => {
            println!("uringy {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Command::Run { file, args, stack_size, threads } => {
            launch(engine::Entry::File(file), args, stack_size, threads)
        }
        Command::Eval { code, args, stack_size, threads } => {
            launch(engine::Entry::Code(code), args, stack_size, threads)
        }
        Command::Test { paths, threads } => test_runner::run_all(&paths, threads),
        Command::TestChild { file } => {
            engine::run(engine::Entry::Test(file), Vec::new(), Options::alone(default_stack_size()))
        }
    }
}

/// `--threads 1` is exactly no flag: one runtime on the main thread.
fn launch(entry: engine::Entry, args: Vec<String>, stack_size: usize, threads: usize) -> u8 {
    if threads > 1 {
        engine::threads::run_threads(entry, args, stack_size, threads)
    } else {
        engine::run(entry, args, Options::alone(stack_size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn file_arguments_reach_the_program_even_when_they_look_like_flags() {
        match parse_str(&["app.ts", "--port", "8080", "-x"]).unwrap() {
            Command::Run { file, args, .. } => {
                assert_eq!(file, PathBuf::from("app.ts"));
                assert_eq!(args, ["--port", "8080", "-x"]);
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn run_subcommand_and_bare_file_mean_the_same() {
        assert!(matches!(parse_str(&["run", "a.js", "b"]).unwrap(), Command::Run { args, .. } if args == ["b"]));
    }

    #[test]
    fn eval_takes_code_in_both_spellings() {
        assert!(matches!(parse_str(&["-e", "1+1"]).unwrap(), Command::Eval { code, .. } if code == "1+1"));
        assert!(matches!(parse_str(&["eval", "2"]).unwrap(), Command::Eval { code, .. } if code == "2"));
    }

    #[test]
    fn unknown_flags_and_missing_files_are_usage_errors() {
        assert!(parse_str(&["--frobnicate"]).unwrap_err().contains("--frobnicate"));
        assert!(parse_str(&[]).is_err());
        assert!(parse_str(&["run"]).is_err());
    }

    #[test]
    fn stack_size_takes_units_and_refuses_nonsense() {
        assert!(
            matches!(parse_str(&["--stack-size", "1m", "a.ts"]).unwrap(), Command::Run { stack_size, .. } if stack_size == 1 << 20)
        );
        assert_eq!(parse_size("64k"), Ok(65536));
        assert!(parse_size("1k").is_err() && parse_size("lots").is_err());
    }

    #[test]
    fn test_takes_paths() {
        assert!(matches!(parse_str(&["test", "a", "b"]).unwrap(), Command::Test { paths, .. } if paths.len() == 2));
    }

    #[test]
    fn threads_takes_a_number_or_auto_and_refuses_nonsense() {
        assert!(matches!(parse_str(&["--threads", "4", "a.ts"]).unwrap(), Command::Run { threads: 4, .. }));
        assert!(
            matches!(parse_str(&["--threads", "auto", "a.ts"]).unwrap(), Command::Run { threads, .. } if threads >= 1)
        );
        assert!(matches!(parse_str(&["test", "--threads", "2", "t"]).unwrap(), Command::Test { threads: Some(2), .. }));
        for bad in ["0", "-1", "many", "1025"] {
            assert!(parse_str(&["--threads", bad, "a.ts"]).unwrap_err().contains("--threads"), "{bad}");
        }
    }
}
