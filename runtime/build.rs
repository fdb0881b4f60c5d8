//! Compiles the TypeScript standard library in `../lib` into quickjs bytecode and embeds it,
//! so that `uringy` runs from any directory with no other files and skips parsing at start-up.
//!
//! Each `lib/PATH.ts` becomes the module `uringy:PATH` (`lib/internal/inspect.ts` →
//! `uringy:internal/inspect`). The generated `stdlib.rs` holds a table sorted by name.

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use rquickjs::{
    loader::{ImportAttributes, Loader, Resolver},
    module::{Declarations, Declared, ModuleDef},
    Context, Ctx, Module, Result, Runtime, WriteOptions,
};

use uringy_strip::{names, strip};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let lib = manifest.join("../lib").canonicalize().expect("lib/ next to runtime/");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed={}", lib.display());

    let mut sources = Vec::new();
    collect(&lib, &lib, &mut sources);
    sources.sort();

    let rt = Runtime::new().unwrap();
    // quickjs-ng resolves a module's imports while compiling it.
    rt.set_loader(LibResolver, LibLoader(lib.clone()));
    let ctx = Context::full(&rt).unwrap();
    let mut table = String::from("pub static MODULES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &sources {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytecode = ctx.with(|ctx| {
            let module = declare(&ctx, name, path).unwrap_or_else(|_| fail(path, &exception_text(&ctx)));
            // Source text is dropped (it is in the repo); line tables are kept so that stack
            // traces through the standard library still name `uringy:` lines.
            module
                .write(WriteOptions { strip_source: true, ..Default::default() })
                .unwrap_or_else(|e| fail(path, &e.to_string()))
        });
        let file = out.join(format!("{}.qbc", name.replace([':', '/'], "_")));
        fs::write(&file, bytecode).unwrap();
        writeln!(table, "    ({name:?}, include_bytes!({:?})),", file.display().to_string()).unwrap();
    }
    table.push_str("];\n");
    fs::write(out.join("stdlib.rs"), table).unwrap();

    engine_layout(&manifest, &out);
}

/// Writes `engine_layout.rs`: the offsets of the JSRuntime fields a fiber switch swaps, read
/// from the engine source rquickjs-sys compiles (see runtime/src/fiber/engine_state.rs).
fn engine_layout(manifest: &Path, out: &Path) {
    let probe = manifest.join("build/engine_layout.c");
    println!("cargo:rerun-if-changed={}", probe.display());
    let source = engine_source(manifest);
    let asm = out.join("engine_layout.s");
    let mut cmd = cc::Build::new().cargo_metadata(false).get_compiler().to_command();
    cmd.args(["-D_GNU_SOURCE", "-O0", "-S", "-w", "-I"]).arg(&source).arg("-o").arg(&asm).arg(&probe);
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot run the C compiler for {}: {e}", probe.display()));
    assert!(status.success(), "compiling {} against {} failed", probe.display(), source.display());
    // Each constant is emitted as `uringy_NAME:` followed by `.quad VALUE`.
    let text = fs::read_to_string(&asm).unwrap();
    let mut lines = text.lines();
    let mut consts = String::new();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("uringy_").and_then(|l| l.strip_suffix(':')) else { continue };
        let value: usize = lines
            .find_map(|l| l.trim().strip_prefix(".quad"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no value for {name} in {}", asm.display()));
        writeln!(consts, "pub const {}: usize = {value};", name.to_uppercase()).unwrap();
    }
    assert!(consts.matches("pub const").count() == 7, "unexpected probe output:\n{consts}");
    fs::write(out.join("engine_layout.rs"), consts).unwrap();
}

/// The quickjs-ng sources of the rquickjs-sys version in Cargo.lock, in cargo's registry.
fn engine_source(manifest: &Path) -> PathBuf {
    let lock = fs::read_to_string(manifest.join("../Cargo.lock")).expect("Cargo.lock next to Cargo.toml");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"rquickjs-sys\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .expect("rquickjs-sys in Cargo.lock");
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env::var_os("HOME").expect("HOME or CARGO_HOME")).join(".cargo"));
    let registry = home.join("registry/src");
    fs::read_dir(&registry)
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| index.path().join(format!("rquickjs-sys-{version}/quickjs")))
        .find(|dir| dir.join("quickjs.c").is_file())
        .unwrap_or_else(|| panic!("the sources of rquickjs-sys {version} are not under {}", registry.display()))
}

fn declare<'js>(ctx: &Ctx<'js>, name: &str, path: &Path) -> Result<Module<'js, Declared>> {
    Module::declare(ctx.clone(), name, strip(path))
}

/// Every `.ts` file below `dir` except declaration files, as (module name, path).
fn collect(root: &Path, dir: &Path, into: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, into);
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if let Some(stem) = rel.strip_suffix(".ts").filter(|s| !s.ends_with(".d")) {
            into.push((format!("uringy:{stem}"), path));
        }
    }
}

fn strip(path: &Path) -> String {
    let source = fs::read_to_string(path).unwrap();
    strip::strip_types(&path.display().to_string(), source).unwrap_or_else(|errors| {
        let text: Vec<String> = errors.iter().map(|e| format!("{}:{}: {}", e.line, e.column, e.message)).collect();
        fail(path, &text.join("\n"))
    })
}

fn exception_text(ctx: &Ctx<'_>) -> String {
    let err = ctx.catch();
    match err.as_exception() {
        Some(e) => format!("{}\n{}", e.message().unwrap_or_default(), e.stack().unwrap_or_default()),
        None => format!("{err:?}"),
    }
}

fn fail(path: &Path, message: &str) -> ! {
    eprintln!("error: cannot compile the standard library file {}:\n{message}", path.display());
    std::process::exit(1)
}

struct LibResolver;

impl Resolver for LibResolver {
    fn resolve<'js>(
        &mut self,
        _: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        Ok(if name.starts_with('.') { names::builtin_relative(base, name) } else { name.to_owned() })
    }
}

struct LibLoader(PathBuf);

impl Loader for LibLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<Module<'js, Declared>> {
        if name == "uringy:ops" {
            return Module::declare_def::<OpsStandIn, _>(ctx.clone(), name);
        }
        let path = self.0.join(format!("{}.ts", name.trim_start_matches("uringy:")));
        declare(ctx, name, &path)
    }
}

/// The native ops exist only in the runtime; compiling needs just the export's name.
struct OpsStandIn;

impl ModuleDef for OpsStandIn {
    fn declare(decl: &Declarations<'_>) -> Result<()> {
        decl.declare("default")?;
        Ok(())
    }
}
