//! Directories and names: listing (no io_uring operation reads a directory, so `getdents64`
//! is called directly — one call per 32 KiB of entries, each served from the kernel's caches),
//! links, real paths and permissions (metadata calls io_uring lacks, which do not wait for
//! data).

use rquickjs::{Ctx, Result, Value};

use super::{open, stat::file_type, sys_error};
use crate::{
    js::{
        objects::{self, Shape},
        path::{name_to_js, PathArg},
    },
    ops::{io::closed, process::cwd, Ops},
    uring::sys,
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fs_read_dir", op_fs_read_dir)?;
    ops.add("op_fs_read_link", op_fs_read_link)?;
    ops.add("op_fs_real_path", op_fs_real_path)?;
    ops.add("op_fs_chmod", op_fs_chmod)
}

/// The entries of a directory (not "." and ".."), as `{ name, isFile, isDirectory,
/// isSymlink }` objects made here, in one go. A file system that does not give an entry's type
/// (`DT_UNKNOWN`) gets an `lstat` through the ring for it.
fn op_fs_read_dir<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let dir = open(&ctx, &path, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    let raw = dir.get().ok_or_else(|| closed(&ctx, "scandir"))?;
    let mut entries = sys::fs::read_dir(raw).map_err(|errno| sys_error(&ctx, -errno, "scandir", &[&path]))?;
    drop(dir);
    for (name, kind) in entries.iter_mut().filter(|(_, kind)| *kind == libc::DT_UNKNOWN) {
        let mut full = path.c.as_bytes().to_vec();
        full.push(b'/');
        full.extend_from_slice(name);
        let text = String::from_utf8_lossy(&full).into_owned();
        let Ok(c) = std::ffi::CString::new(full) else { continue };
        *kind = match file_type(&ctx, &PathArg { c, text }, false)? {
            libc::S_IFREG => libc::DT_REG,
            libc::S_IFDIR => libc::DT_DIR,
            libc::S_IFLNK => libc::DT_LNK,
            _ => libc::DT_UNKNOWN,
        };
    }
    let shape = Shape::new(&ctx, &[c"name", c"isFile", c"isDirectory", c"isSymlink"]);
    let flag = |is: bool| Value::new_bool(ctx.clone(), is);
    let mut objects = Vec::with_capacity(entries.len());
    for (name, kind) in &entries {
        let values = vec![
            name_to_js(&ctx, name)?,
            flag(*kind == libc::DT_REG),
            flag(*kind == libc::DT_DIR),
            flag(*kind == libc::DT_LNK),
        ];
        objects.push(shape.make(values)?);
    }
    objects::array(&ctx, objects)
}

fn op_fs_read_link<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let target = sys::fs::read_link(cwd::dir(&ctx).raw(), &path.c);
    name_to_js(&ctx, &target.map_err(|errno| sys_error(&ctx, -errno, "readlink", &[&path]))?)
}

fn op_fs_real_path<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let real = sys::fs::real_path(&cwd::absolute(&ctx, &path.c));
    name_to_js(&ctx, &real.map_err(|errno| sys_error(&ctx, -errno, "realpath", &[&path]))?)
}

fn op_fs_chmod(ctx: Ctx<'_>, path: PathArg, mode: u32) -> Result<()> {
    sys::fs::chmod(cwd::dir(&ctx).raw(), &path.c, mode).map_err(|errno| sys_error(&ctx, -errno, "chmod", &[&path]))
}
