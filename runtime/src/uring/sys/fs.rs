//! File calls io_uring has no operation for, each bounded: reading a directory (`getdents64`,
//! served from the kernel's dentry and page caches), `readlink`, `realpath`, permissions,
//! `lseek`, and `ftruncate` on kernels before 6.9. Paths are relative to `dir` (a runtime's
//! working directory), as the ring's `*at` operations are.

use std::{ffi::CStr, os::fd::RawFd};

use super::check;

/// The kind of a directory entry, as `getdents64` gives it (`DT_REG`, `DT_DIR`, `DT_LNK`,
/// `DT_UNKNOWN`, …).
pub type EntryKind = u8;

/// Every entry of the open directory `fd` (not "." and ".."): its name's bytes and its kind.
/// One call per 32 KiB of entries (a few hundred names).
pub fn read_dir(fd: RawFd) -> Result<Vec<(Vec<u8>, EntryKind)>, i32> {
    let mut entries = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: the kernel writes at most `buf.len()` bytes of entries.
        let n = check(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })? as usize;
        if n == 0 {
            return Ok(entries);
        }
        let mut at = 0;
        while at + 19 < n {
            // linux_dirent64: ino u64, off i64, reclen u16, type u8, then the NUL-ended name.
            let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
            let end = (at + reclen).min(n);
            let name = CStr::from_bytes_until_nul(&buf[at + 19..end]).map(CStr::to_bytes).unwrap_or_default();
            if name != b"." && name != b".." {
                entries.push((name.to_vec(), buf[at + 18]));
            }
            at += reclen.max(1);
        }
    }
}

/// The target of symlink `path`, like `readlinkat(2)`.
pub fn read_link(dir: RawFd, path: &CStr) -> Result<Vec<u8>, i32> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: the kernel writes at most `buf.len()` bytes.
    let n = check(unsafe { libc::readlinkat(dir, path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
    buf.truncate(n as usize);
    Ok(buf)
}

/// The canonical absolute path of `path` (an absolute one), like `realpath(3)`.
pub fn real_path(path: &CStr) -> Result<Vec<u8>, i32> {
    // SAFETY: with a null buffer, realpath allocates the result, freed below once copied.
    unsafe {
        let real = libc::realpath(path.as_ptr(), std::ptr::null_mut());
        if real.is_null() {
            return Err(super::errno());
        }
        let bytes = CStr::from_ptr(real).to_bytes().to_vec();
        libc::free(real.cast());
        Ok(bytes)
    }
}

/// `fchmodat(2)`.
pub fn chmod(dir: RawFd, path: &CStr, mode: u32) -> Result<(), i32> {
    // SAFETY: a plain syscall on a NUL-terminated path.
    check(unsafe { libc::fchmodat(dir, path.as_ptr(), mode, 0) }).map(drop)
}

/// `fchmod(2)`.
pub fn fchmod(fd: RawFd, mode: u32) -> Result<(), i32> {
    // SAFETY: a plain syscall on the caller's descriptor.
    check(unsafe { libc::fchmod(fd, mode) }).map(drop)
}

/// `lseek(2)`: the new position.
pub fn seek(fd: RawFd, offset: i64, whence: i32) -> Result<u64, i32> {
    // SAFETY: a plain syscall on the caller's descriptor.
    check(unsafe { libc::lseek64(fd, offset, whence) }).map(|at| at as u64)
}

/// `ftruncate(2)`.
pub fn truncate(fd: RawFd, length: u64) -> Result<(), i32> {
    // SAFETY: a plain syscall on the caller's descriptor.
    check(unsafe { libc::ftruncate64(fd, length as i64) }).map(drop)
}

/// Sets a descriptor's status flags (`O_APPEND`, `O_NONBLOCK`, …), like `fcntl(F_SETFL)`.
pub fn set_status_flags(fd: RawFd, flags: i32) -> Result<(), i32> {
    // SAFETY: a plain syscall on the caller's descriptor.
    check(unsafe { libc::fcntl(fd, libc::F_SETFL, flags) }).map(drop)
}

/// A descriptor naming directory `path` (relative to `dir`), for use as a working directory.
pub fn open_dir(dir: RawFd, path: &CStr) -> Result<RawFd, i32> {
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: a plain syscall on a NUL-terminated path.
    check(unsafe { libc::openat(dir, path.as_ptr(), flags) })
}
