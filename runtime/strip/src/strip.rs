//! TypeScript → JavaScript by erasing types in place (swc's fast type stripper, as Node does).
//!
//! Type annotations are replaced by white space, so every line and column of the output is the
//! line and column of the source as written: stack traces name `app.ts:L:C` without source
//! maps. Syntax that would need code generation (`enum`, `namespace`, constructor parameter
//! properties, legacy `module`) is refused with its position instead of being transformed.
//!
//! Shared with `build.rs`, which strips the standard library with it.

use std::sync::{Arc, Mutex};

use swc_common::{
    errors::{DiagnosticBuilder, Emitter, Handler, HANDLER},
    sync::Lrc,
    BytePos, SourceMap, GLOBALS,
};
use swc_fast_ts_strip::{operate, Mode, Options};

/// One problem found while stripping; `line` and `column` are 1-based.
#[derive(Debug)]
pub struct StripError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Stack the stripper may need per byte of source. swc parses and walks nested syntax
/// recursively, up to ~3.6 KiB of stack per level (a parenthesis, a type argument), and each
/// level takes at least one byte; twice that is reserved, so no nesting a file can hold
/// overflows it.
const STACK_PER_BYTE: usize = 8 * 1024;
const MIN_STACK: usize = 1024 * 1024;
/// Files over 512 KiB get this much: room for ~1 million levels of nesting.
const MAX_STACK: usize = 4 << 30;

/// Erases the types of `source`, a TypeScript module named `filename`, on a stack of its own
/// sized to the source, so that deeply nested code is an error, never a crash, wherever the
/// loader runs (a fiber's stack, for a dynamic import). It is address space: only the pages
/// the parser touches are used. (The parser's own stack checks also work there, which they do
/// not on a fiber's stack.)
pub fn strip_types(filename: &str, source: String) -> Result<String, Vec<StripError>> {
    let wanted = source.len().saturating_mul(STACK_PER_BYTE).clamp(MIN_STACK, MAX_STACK);
    let Some(size) = reservable(wanted) else {
        let message = format!("not enough memory for the stack to compile it ({} MiB)", MIN_STACK >> 20);
        return Err(vec![StripError { line: 0, column: 0, message }]);
    };
    stacker::grow(size, || strip_here(filename, source))
}

/// The largest stack of at most `wanted` bytes, and at least [`MIN_STACK`], that the system
/// grants now (a machine with little memory and no overcommit refuses big mappings).
fn reservable(wanted: usize) -> Option<usize> {
    let mut size = wanted;
    loop {
        // SAFETY: a probe mapping like the one stacker makes, unmapped at once.
        let probe = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if probe != libc::MAP_FAILED {
            // SAFETY: the mapping made just above.
            unsafe { libc::munmap(probe, size) };
            return Some(size);
        }
        if size <= MIN_STACK {
            return None;
        }
        size = (size / 2).max(MIN_STACK);
    }
}

fn strip_here(filename: &str, source: String) -> Result<String, Vec<StripError>> {
    let cm: Lrc<SourceMap> = Default::default();
    let found = Arc::new(Mutex::new(Vec::new()));
    let handler = Handler::with_emitter(true, false, Box::new(Collect(found.clone())));
    let options = Options {
        module: Some(true),
        filename: Some(filename.to_owned()),
        mode: Mode::StripOnly,
        ..Default::default()
    };
    let result = GLOBALS.set(&Default::default(), || HANDLER.set(&handler, || operate(&cm, &handler, source, options)));
    match result {
        Ok(output) => Ok(output.code),
        Err(err) => {
            let found = std::mem::take(&mut *found.lock().unwrap_or_else(|e| e.into_inner()));
            let mut errors: Vec<StripError> = found
                .into_iter()
                .map(|(message, pos)| (readable(&message), pos))
                .map(|(message, pos)| match pos {
                    Some(pos) => {
                        let loc = cm.lookup_char_pos(pos);
                        StripError { line: loc.line, column: loc.col.0 + 1, message }
                    }
                    None => StripError { line: 0, column: 0, message },
                })
                .collect();
            if errors.is_empty() {
                errors.push(StripError { line: 0, column: 0, message: err.message });
            }
            Err(errors)
        }
    }
}

/// swc names a token the lexer could not make by its debug form ("got '<lexing error: Error {
/// error: (541..541, ExpectedUnicodeEscape) }>'"); say what is wrong in words instead.
fn readable(message: &str) -> String {
    const MARK: &str = "<lexing error: Error { error: (";
    let Some(at) = message.find(MARK) else { return message.to_owned() };
    let rest = &message[at + MARK.len()..];
    let kind = rest.split_once(", ").map_or("", |(_, kind)| kind);
    let name: String = kind.chars().take_while(char::is_ascii_alphanumeric).collect();
    let mut words = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    if words.is_empty() {
        "Invalid or unexpected token".to_owned()
    } else {
        format!("Invalid or unexpected token: {words}")
    }
}

/// swc's diagnostics as (message, start position).
type Found = Arc<Mutex<Vec<(String, Option<BytePos>)>>>;

/// Keeps swc's diagnostics instead of printing them, so the runtime can report them in its
/// own format.
struct Collect(Found);

impl Emitter for Collect {
    fn emit(&mut self, db: &mut DiagnosticBuilder<'_>) {
        let pos = db.span.primary_span().map(|span| span.lo);
        let mut found = self.0.lock().unwrap_or_else(|e| e.into_inner());
        found.push((db.message(), pos));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_as_deep_as_the_file_can_hold_is_stripped_without_overflowing_the_stack() {
        // Each of these costs the parser the most stack per byte of source (measured: ~3.6 KiB
        // per level); 20,000 levels need ~70 MiB, far more than any thread or fiber stack.
        let n = 20_000;
        for (prefix, open, close) in [
            ("let x = ", "(", ")"),
            ("let x = ", "[", "]"),
            ("let x = ", "{a:", "}"),
            ("let x: ", "Array<", ">"),
            ("let x = ", "`${", "}`"),
        ] {
            let inner = if open == "Array<" { "number" } else { "1" };
            let source = format!("{prefix}{}{inner}{};", open.repeat(n), close.repeat(n));
            let stripped = strip_types("deep.ts", source.clone()).unwrap_or_else(|e| panic!("{open}: {e:?}"));
            assert_eq!(stripped.len(), source.len(), "{open}: positions kept");
        }
        let elses = format!("let a = 0;\nif (a) {{}}{}", " else if (a) {}".repeat(3_000));
        assert!(strip_types("elses.ts", elses).is_ok());
    }

    #[test]
    fn a_token_the_lexer_could_not_make_is_described_in_words() {
        let message = "Expected ',', got '<lexing error: Error { error: (19..19, ExpectedUnicodeEscape) }>'";
        assert_eq!(readable(message), "Invalid or unexpected token: expected unicode escape");
        assert_eq!(readable("Expression expected"), "Expression expected");
        let errors = strip_types("lex.ts", "const o = { a: 1 b\\q };".into()).unwrap_err();
        assert!(errors.iter().all(|e| !e.message.contains("lexing error")), "{errors:?}");
        assert!(errors[0].message.contains("expected unicode escape"), "{errors:?}");
    }
}
