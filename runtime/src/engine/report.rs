//! Printing an error that reached the top: a source excerpt pointing at where it was thrown,
//! then the error as `console.error` would print it (name, message, stack, properties).

use rquickjs::{Ctx, Function, Object, Persistent, Value};

use crate::{
    js::userdata,
    loader::{link_error, source_of},
    scheduler,
};

/// What the report needs of the runtime, kept in the context's user data.
pub struct Report {
    /// The program, for errors that cannot say where they came from.
    pub main: String,
    /// Formats uncaught errors the way `console.error` would; set by the bootstrap module.
    pub format_error: Option<Persistent<Function<'static>>>,
    /// Under `--threads`, the thread's id, which prefixes each line of a report (rule 14).
    pub thread: Option<usize>,
}

/// Writes a report to stderr in one piece (so that other threads' lines do not interleave
/// with it), each line prefixed with the thread's id under `--threads`.
pub fn print(ctx: &Ctx<'_>, text: &str) {
    let thread = userdata::with::<Report, _>(ctx, |r| r.thread).flatten();
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        if let Some(id) = thread {
            out.push_str(&format!("[thread {id}] "));
        }
        out.push_str(line);
        out.push('\n');
    }
    let _ = crate::uring::sys::process::write_console(2, out.as_bytes());
}

pub fn uncaught<'js>(ctx: &Ctx<'js>, error: Value<'js>, in_promise: bool) {
    if let Some(object) = error.as_object() {
        link_error::explain(ctx, object);
    }
    let text = format(ctx, &error);
    let label = if in_promise { "Uncaught (in promise)" } else { "Uncaught" };
    if let Some((file, line, column)) = location(&error) {
        let excerpt = excerpt(ctx, &file, line, column).unwrap_or_default();
        return print(ctx, &format!("{excerpt}error: {label} {text}"));
    }
    // A value with no stack: where it was thrown from, as far as the runtime knows.
    let thrown = scheduler::with(|s| {
        s.thrown
            .iter()
            .find(|t| t.value.clone().restore(ctx).is_ok_and(|value| value == error))
            .map(|t| (t.file.clone(), t.line as usize, t.column as usize))
    });
    let (excerpt, place) = match thrown {
        Some((file, line, column)) => (
            excerpt(ctx, &file, line, column).unwrap_or_default(),
            format!("thrown out of the fiber running the function at {file}:{line}:{column}"),
        ),
        None => {
            let main = userdata::with::<Report, _>(ctx, |r| r.main.clone()).unwrap_or_else(|| "the program".into());
            (String::new(), format!("thrown while running {main}"))
        }
    };
    let why = "a value that is not an Error has no stack trace; throw an Error to get one";
    print(ctx, &format!("{excerpt}error: {label} {text}\n    ({place}: {why})"));
}

fn format<'js>(ctx: &Ctx<'js>, error: &Value<'js>) -> String {
    let formatter = userdata::with::<Report, _>(ctx, |r| r.format_error.clone()).flatten();
    if let Some(Ok(format)) = formatter.map(|f| f.restore(ctx)) {
        if let Ok(text) = Function::call::<_, String>(&format, (error.clone(),)) {
            return text;
        }
        ctx.catch();
    }
    // The bootstrap itself failed: say as much as the engine can.
    match error.as_exception() {
        Some(e) => format!(
            "{}: {}\n{}",
            error_name(e.as_object()),
            e.message().unwrap_or_default(),
            e.stack().unwrap_or_default()
        ),
        None => format!("{error:?}"),
    }
}

fn error_name(error: &Object<'_>) -> String {
    error.get::<_, String>("name").unwrap_or_else(|_| "Error".into())
}

/// Where the error was thrown: the first stack frame in a file (the standard library and
/// native frames are skipped), or the position a syntax error carries.
fn location(error: &Value<'_>) -> Option<(String, usize, usize)> {
    let object = error.as_object()?;
    if let (Ok(file), Ok(line), Ok(column)) = (
        object.get::<_, String>("fileName"),
        object.get::<_, usize>("lineNumber"),
        object.get::<_, usize>("columnNumber"),
    ) {
        return Some((file, line, column));
    }
    let stack: String = object.get("stack").ok()?;
    stack.lines().find_map(frame_location)
}

/// `    at f (/a/b.ts:3:9)` or `    at /a/b.ts:3:9` → (`/a/b.ts`, 3, 9).
fn frame_location(frame: &str) -> Option<(String, usize, usize)> {
    let frame = frame.trim().strip_prefix("at ")?;
    let place = match frame.rfind(" (") {
        Some(i) => frame[i + 2..].strip_suffix(')')?,
        None => frame,
    };
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    file.starts_with('/').then(|| (file.to_owned(), line, column))
}

fn excerpt(ctx: &Ctx<'_>, file: &str, line: usize, column: usize) -> Option<String> {
    let source = source_of(ctx, file)?;
    let text = source.lines().nth(line.checked_sub(1)?)?;
    let pad: String = text.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    Some(format!("{file}:{line}:{column}\n{text}\n{pad}^\n\n"))
}

#[cfg(test)]
mod tests {
    use super::frame_location;

    #[test]
    fn frames_with_and_without_function_names_give_their_position() {
        assert_eq!(frame_location("    at main (/app/x.ts:3:9)"), Some(("/app/x.ts".into(), 3, 9)));
        assert_eq!(frame_location("    at /app/x.ts:10:1"), Some(("/app/x.ts".into(), 10, 1)));
        assert_eq!(frame_location("    at f (uringy:internal/a:1:2)"), None);
        assert_eq!(frame_location("    at JSON.parse (native)"), None);
    }
}
