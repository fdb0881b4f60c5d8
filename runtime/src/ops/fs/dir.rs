//! Directories and names: listing (no io_uring operation reads a directory, so `getdents64`
//! is called directly — one call per 32 KiB of entries, each served from the kernel's caches),
//! links, real paths and permissions (metadata calls io_uring lacks, which do not wait for
//! data).

use std::ffi::CStr;

use rquickjs::{convert::List, Ctx, Result, Value};

use super::{open, path::name_to_js, path::PathArg, sys_error, AT_CWD};
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

/// The entries of a directory (not "." and ".."): their names and `d_type`s (0 when the file
/// system does not say; lib/fs.ts asks `lstat` then).
fn op_fs_read_dir<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<List<(Vec<Value<'js>>, Vec<u8>)>> {
    let dir = open(&ctx, &path, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    let raw = dir.get().unwrap_or(-1);
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: the kernel writes at most `buf.len()` bytes of entries.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, raw, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            return Err(sys_error(&ctx, errno(), "scandir", &path.text));
        }
        if n == 0 {
            break;
        }
        let mut at = 0;
        while at + 19 < n as usize {
            // linux_dirent64: ino u64, off i64, reclen u16, type u8, then the NUL-ended name.
            let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
            let kind = buf[at + 18];
            let name = CStr::from_bytes_until_nul(&buf[at + 19..at + reclen]).map(CStr::to_bytes).unwrap_or_default();
            if name != b"." && name != b".." {
                names.push(name_to_js(&ctx, name)?);
                types.push(kind);
            }
            at += reclen.max(1);
        }
    }
    Ok(List((names, types)))
}

fn op_fs_read_link<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: the kernel writes at most `buf.len()` bytes.
    let n = unsafe { libc::readlink(path.c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(sys_error(&ctx, errno(), "readlink", &path.text));
    }
    name_to_js(&ctx, &buf[..n as usize])
}

fn op_fs_real_path<'js>(ctx: Ctx<'js>, path: PathArg) -> Result<Value<'js>> {
    // SAFETY: with a null buffer, realpath allocates the result, freed below.
    let real = unsafe { libc::realpath(path.c.as_ptr(), std::ptr::null_mut()) };
    if real.is_null() {
        return Err(sys_error(&ctx, errno(), "realpath", &path.text));
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
        return Err(sys_error(&ctx, errno(), "chmod", &path.text));
    }
    Ok(())
}
