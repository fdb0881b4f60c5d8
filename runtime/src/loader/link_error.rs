//! An import of a name its module does not export. The engine says "Could not find export
//! 'Foo' in module '/app/types.ts'", naming neither the importing file nor the line; the
//! report says which import it was, where, and — when the name is a TypeScript type, which
//! stripping erased (the most common cause) — how to import it instead.

use rquickjs::{Ctx, Object};

use super::{locate, source_of, with_state};

/// Rewrites `error` in place if it is such a link error: Node's message, the importing
/// file's position, and the hint for a type.
pub fn explain<'js>(ctx: &Ctx<'js>, error: &Object<'js>) {
    let Ok(message) = error.get::<_, String>("message") else { return };
    let Some((name, module)) = parse(&message) else { return };
    let importers: Vec<(String, String)> = with_state(ctx, |state| {
        let imports = state.imports.borrow();
        imports.iter().filter(|i| i.resolved == module).map(|i| (i.importer.clone(), i.specifier.clone())).collect()
    })
    .unwrap_or_default();
    for (importer, specifier) in importers {
        let Some(source) = source_of(ctx, &importer) else { continue };
        let Some((line, column)) = position(&source, &specifier, &name) else { continue };
        let mut text = format!("The requested module '{specifier}' does not provide an export named '{name}'");
        if let Some(kind) = type_declaration(ctx, &module, &name) {
            text.push_str(&format!(
                ": {name} is a TypeScript {kind}, and types are erased when the module runs; import it with \
                 `import type {{ {name} }}` (or `import {{ type {name} }}`)"
            ));
        }
        let _ = error.set("message", text);
        locate(ctx, error, &importer, line, column);
        return;
    }
}

/// `Could not find export 'NAME' in module 'MODULE'` → (NAME, MODULE).
fn parse(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("Could not find export '")?;
    let (name, module) = rest.split_once("' in module '")?;
    Some((name.to_owned(), module.strip_suffix('\'')?.to_owned()))
}

fn is_identifier(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Where `name` is imported in the import of `specifier` in `source`: 1-based line and column.
fn position(source: &str, specifier: &str, name: &str) -> Option<(usize, usize)> {
    for quote in ['"', '\''] {
        let quoted = format!("{quote}{specifier}{quote}");
        for (at, _) in source.match_indices(&quoted) {
            let start = source[..at].rfind("import")?;
            let statement = &source[start..at];
            let found = statement.match_indices(name).find(|(i, _)| {
                let before = statement[..*i].chars().next_back();
                let after = statement[i + name.len()..].chars().next();
                !before.is_some_and(is_identifier) && !after.is_some_and(is_identifier)
            });
            if let Some((i, _)) = found {
                let offset = start + i;
                let line_start = source[..offset].rfind('\n').map_or(0, |n| n + 1);
                let line = source[..offset].matches('\n').count() + 1;
                return Some((line, source[line_start..offset].chars().count() + 1));
            }
        }
    }
    None
}

/// Whether TypeScript module `module` declares `name` as an interface or a type alias.
fn type_declaration(ctx: &Ctx<'_>, module: &str, name: &str) -> Option<&'static str> {
    if ![".ts", ".mts", ".cts"].iter().any(|ext| module.ends_with(ext)) {
        return None;
    }
    let source = source_of(ctx, module)?;
    [("interface", "interface"), ("type", "type alias")].into_iter().find_map(|(keyword, kind)| {
        let declaration = format!("{keyword} {name}");
        source
            .match_indices(&declaration)
            .any(|(i, _)| {
                let before = source[..i].chars().next_back();
                let after = source[i + declaration.len()..].chars().next();
                !before.is_some_and(is_identifier) && !after.is_some_and(is_identifier)
            })
            .then_some(kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_message_gives_the_name_and_the_module() {
        let parsed = parse("Could not find export 'Foo' in module '/app/types.ts'");
        assert_eq!(parsed, Some(("Foo".into(), "/app/types.ts".into())));
        assert_eq!(parse("something else"), None);
    }

    #[test]
    fn the_position_is_that_of_the_name_in_the_import_of_the_specifier() {
        let source = "import { a } from './a.ts';\nimport {\n  FooBar,\n  Foo,\n} from \"./types.ts\";\n";
        assert_eq!(position(source, "./types.ts", "Foo"), Some((4, 3)));
        assert_eq!(position(source, "./types.ts", "Missing"), None);
    }
}
