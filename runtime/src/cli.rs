//! The command line, in two stages: raw arguments → [`Command`], then [`run`].

use std::{ffi::OsString, path::PathBuf};

use lexopt::{Arg, Parser, ValueExt};

use crate::{engine, test_runner};

pub const USAGE: &str = "\
Usage:
  uringy [OPTIONS] FILE [ARGS...]      run a .ts, .mts, .js or .mjs file
  uringy run [OPTIONS] FILE [ARGS...]  the same
  uringy test [PATHS...]               run *.test.ts / *.test.js files (default: .)
  uringy eval CODE, uringy -e CODE     run CODE as a module
  uringy --version | --help

Options:
  -e, --eval CODE    run CODE instead of a file
  -h, --help         print this help
  -V, --version      print the version";

/// What the user asked for.
#[derive(Debug)]
pub enum Command {
    Run {
        file: PathBuf,
        args: Vec<String>,
    },
    Eval {
        code: String,
        args: Vec<String>,
    },
    Test {
        paths: Vec<PathBuf>,
    },
    /// Internal: runs one test file and reports to the parent `uringy test`.
    TestChild {
        file: PathBuf,
    },
    Help,
    Version,
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut parser = Parser::from_args(args);
    let err = |e: lexopt::Error| e.to_string();
    let mut subcommand: Option<String> = None;
    loop {
        let arg = parser.next().map_err(err)?;
        match arg {
            None => break,
            Some(Arg::Short('h') | Arg::Long("help")) => return Ok(Command::Help),
            Some(Arg::Short('V') | Arg::Long("version")) => return Ok(Command::Version),
            Some(Arg::Short('e') | Arg::Long("eval")) => {
                let code = parser.value().map_err(err)?.string().map_err(err)?;
                return Ok(Command::Eval { code, args: rest(&mut parser)? });
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
                        return Ok(Command::Eval { code, args: rest(&mut parser)? });
                    }
                    (None, "test") => {
                        let mut paths = Vec::new();
                        while let Some(arg) = parser.next().map_err(err)? {
                            match arg {
                                Arg::Value(path) => paths.push(path.into()),
                                other => return Err(other.unexpected().to_string()),
                            }
                        }
                        return Ok(Command::Test { paths });
                    }
                    // Everything after FILE belongs to the program, flags included.
                    _ => return Ok(Command::Run { file: value.into(), args: rest(&mut parser)? }),
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
        Command::Run { file, args } => engine::run(engine::Entry::File(file), args),
        Command::Eval { code, args } => engine::run(engine::Entry::Code(code), args),
        Command::Test { paths } => test_runner::run_all(&paths),
        Command::TestChild { file } => engine::run(engine::Entry::Test(file), Vec::new()),
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
            Command::Run { file, args } => {
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
    fn test_takes_paths() {
        assert!(matches!(parse_str(&["test", "a", "b"]).unwrap(), Command::Test { paths } if paths.len() == 2));
    }
}
