//! Directories and names: listing (no io_uring operation reads a directory, so `getdents64`
//! is called directly — one call per 32 KiB of entries, each served from the kernel's caches),
//! links, real paths and permissions (metadata calls io_uring lacks, which do not wait for
//! data).

use std::ffi::{CStr, CString};

use rquickjs::{qjs, Ctx, Result, Value};

use super::{open, path::name_to_js, path::PathArg, stat::file_type, sys_error, AT_CWD};
use crate::ops::Ops;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_fs_read_dir", op_fs_read_dir)?;
    ops.add("op_fs_read_link", op_fs_read_link)?;
    ops.add("op_fs_real_path", op_fs_real_path)?;
    ops.add("op_fs_chmod", op_fs_chmod)
}

fn errno() -> i32 {
    -std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// The entries of a directory (not "." and ".."), as `{ name, isFile, isDirectory,
/// isSymlink }` objects made here, in one go. A file system that does not give an entry's type
/// (`DT_UNKNOWN`) gets an `lstat` through the ring for it.
fn op_fs_read_dir<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let dir = open(&ctx, &path, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    let raw = dir.get().unwrap_or(-1);
    let mut entries: Vec<(Vec<u8>, u8)> = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: the kernel writes at most `buf.len()` bytes of entries.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, raw, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            return Err(sys_error(&ctx, errno(), "scandir", &[&path]));
        }
        if n == 0 {
            break;
        }
        let mut at = 0;
        while at + 19 < n as usize {
            // linux_dirent64: ino u64, off i64, reclen u16, type u8, then the NUL-ended name.
            let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
            let name = CStr::from_bytes_until_nul(&buf[at + 19..at + reclen]).map(CStr::to_bytes).unwrap_or_default();
            if name != b"." && name != b".." {
                entries.push((name.to_vec(), buf[at + 18]));
            }
            at += reclen.max(1);
        }
    }
    drop(dir);
    for (name, kind) in entries.iter_mut().filter(|(_, kind)| *kind == libc::DT_UNKNOWN) {
        let mut full = path.c.as_bytes().to_vec();
        full.push(b'/');
        full.extend_from_slice(name);
        *kind = match file_type(&ctx, CString::new(full).unwrap_or_default(), false)? {
            libc::S_IFREG => libc::DT_REG,
            libc::S_IFDIR => libc::DT_DIR,
            libc::S_IFLNK => libc::DT_LNK,
            _ => libc::DT_UNKNOWN,
        };
    }
    entries_to_js(&ctx, &entries)
}

fn entries_to_js<'js>(ctx: &Ctx<'js>, entries: &[(Vec<u8>, u8)]) -> Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    let keys = [c"name", c"isFile", c"isDirectory", c"isSymlink"];
    // SAFETY: atoms of this context, freed below.
    let atoms = keys.map(|key| unsafe { qjs::JS_NewAtom(raw, key.as_ptr()) });
    let mut objects = Vec::with_capacity(entries.len());
    let mut failed = false;
    for (name, kind) in entries {
        let Ok(name) = name_to_js(ctx, name) else {
            failed = true;
            break;
        };
        let flag = |is: bool| qjs::JS_MKVAL(qjs::JS_TAG_BOOL, is as i32);
        // SAFETY: a new reference to the name, which the object takes.
        let name = unsafe { qjs::JS_DupValue(raw, name.as_raw()) };
        let values = [name, flag(*kind == libc::DT_REG), flag(*kind == libc::DT_DIR), flag(*kind == libc::DT_LNK)];
        // SAFETY: the engine takes the values (ours) and returns a new object.
        let object = unsafe { qjs::JS_NewObjectFrom(raw, 4, atoms.as_ptr(), values.as_ptr()) };
        // SAFETY: only inspects the value's tag.
        if unsafe { qjs::JS_IsException(object) } {
            failed = true;
            break;
        }
        objects.push(object);
    }
    // SAFETY: the atoms made above; the array takes the objects (ours) when made.
    unsafe {
        for atom in atoms {
            qjs::JS_FreeAtom(raw, atom);
        }
        if failed {
            for object in objects {
                qjs::JS_FreeValue(raw, object);
            }
            return Err(rquickjs::Error::Exception);
        }
        let array = qjs::JS_NewArrayFrom(raw, objects.len() as i32, objects.as_ptr());
        if qjs::JS_IsException(array) {
            return Err(rquickjs::Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), array))
    }
}

fn op_fs_read_link<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: the kernel writes at most `buf.len()` bytes.
    let n = unsafe { libc::readlink(path.c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(sys_error(&ctx, errno(), "readlink", &[&path]));
    }
    name_to_js(&ctx, &buf[..n as usize])
}

fn op_fs_real_path<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    // SAFETY: with a null buffer, realpath allocates the result, freed below.
    let real = unsafe { libc::realpath(path.c.as_ptr(), std::ptr::null_mut()) };
    if real.is_null() {
        return Err(sys_error(&ctx, errno(), "realpath", &[&path]));
    }
    // SAFETY: a NUL-terminated string from realpath, freed once copied.
    let bytes = unsafe {
        let bytes = CStr::from_ptr(real).to_bytes().to_vec();
        libc::free(real.cast());
        bytes
    };
    name_to_js(&ctx, &bytes)
}

fn op_fs_chmod(ctx: Ctx<'_>, path: PathArg, mode: u32) -> Result<()> {
    // SAFETY: a plain syscall on a NUL-terminated path.
    if unsafe { libc::fchmodat(AT_CWD, path.c.as_ptr(), mode, 0) } < 0 {
        return Err(sys_error(&ctx, errno(), "chmod", &[&path]));
    }
    Ok(())
}
