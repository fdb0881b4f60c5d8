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

/// Erases the types of `source`, a TypeScript module named `filename`.
pub fn strip_types(filename: &str, source: String) -> Result<String, Vec<StripError>> {
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
