//! The standard library (`lib/**/*.ts`), compiled to bytecode by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/stdlib.rs"));

/// The bytecode of the built-in module `name` (`uringy:fs`, `uringy:internal/inspect`, …).
pub fn bytecode(name: &str) -> Option<&'static [u8]> {
    MODULES.binary_search_by_key(&name, |(n, _)| n).ok().map(|i| MODULES[i].1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted_so_lookups_find_every_module() {
        for (name, _) in super::MODULES {
            assert!(super::bytecode(name).is_some(), "{name} not found");
        }
        assert!(super::bytecode("uringy:internal/bootstrap").is_some());
    }
}
