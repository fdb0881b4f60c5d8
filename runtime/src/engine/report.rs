//! Printing an error that reached the top: a source excerpt pointing at where it was thrown,
//! then the error as `console.error` would print it (name, message, stack, properties).

use std::path::Path;

use rquickjs::{Ctx, Function, Object, Value};

use super::host::host;
use crate::loader::read_source;

pub fn uncaught<'js>(ctx: &Ctx<'js>, error: Value<'js>, in_promise: bool) {
    let text = format(ctx, &error);
    let excerpt = location(&error).and_then(|(file, line, column)| excerpt(&file, line, column));
    let label = if in_promise { "Uncaught (in promise)" } else { "Uncaught" };
    eprintln!("{}error: {label} {text}", excerpt.unwrap_or_default());
}

fn format<'js>(ctx: &Ctx<'js>, error: &Value<'js>) -> String {
    let formatter = host(ctx).format_error.borrow().clone();
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

fn excerpt(file: &str, line: usize, column: usize) -> Option<String> {
    let source = read_source(Path::new(file)).ok()?;
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
