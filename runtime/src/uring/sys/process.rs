//! Process-wide settings and the process's standard streams.

use std::os::fd::RawFd;

use super::check;

/// Servers hold a descriptor per connection: like Go and Bun, the soft limit on open files is
/// raised to the hard limit (often 1024 → 524288), so a program is not cut off at 1024 by a
/// default it never chose. Done once, before any runtime starts.
pub fn raise_descriptor_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain syscalls on a struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The limit on the process's address space (`ulimit -v`), when there is one.
pub fn address_space_limit() -> Option<usize> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: a plain syscall filling a struct we own.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (got && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as usize)
}

/// Whether `fd` is a terminal, like `isatty(3)`.
pub fn is_terminal(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the descriptor number.
    unsafe { libc::isatty(fd) == 1 }
}

/// Writes all of `bytes` to `fd` before returning, blocking the thread (the console is
/// synchronous, so that its output is ordered with the process's and survives `exit`). A
/// descriptor someone else made non-blocking (a shared terminal or pipe) is waited on.
pub fn write_all(fd: RawFd, mut bytes: &[u8]) -> Result<(), i32> {
    while !bytes.is_empty() {
        // SAFETY: writes from memory we borrow.
        match check(unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) }) {
            Ok(n) => bytes = &bytes[n as usize..],
            Err(libc::EINTR) => {}
            Err(libc::EAGAIN) => {
                let mut ready = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
                // SAFETY: one pollfd we own.
                unsafe { libc::poll(&mut ready, 1, -1) };
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Console output of every thread of the process takes turns: a line written with
/// [`write_console`] never interleaves with another thread's (API.md, rule 17).
static CONSOLE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// [`write_all`], in the console's turn.
pub fn write_console(fd: RawFd, bytes: &[u8]) -> Result<(), i32> {
    let _turn = CONSOLE.lock().unwrap_or_else(|e| e.into_inner());
    write_all(fd, bytes)
}

/// The system's description of `errno`, like `strerror_r(3)`.
pub fn describe(errno: i32) -> String {
    let mut buf = [0 as libc::c_char; 128];
    // SAFETY: the XSI strerror_r writes a NUL-terminated string into `buf`.
    unsafe {
        if libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) != 0 {
            return format!("error {errno}");
        }
        std::ffi::CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

/// Closes `fd`, like `close(2)`: direct, so that it also works in the engine's finalizer.
pub fn close(fd: RawFd) {
    // SAFETY: the caller owns `fd` and nothing uses it any more.
    unsafe { libc::close(fd) };
}

/// Ends the process at once with `status`, like `_exit(2)`: no destructor runs, no thread-local
/// is torn down. A program calls `process.exit` from a fiber, whose stack belongs to the
/// runtime that tearing down would free under it; the runtime buffers no output, so nothing
/// is lost.
pub fn exit_now(status: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // SAFETY: ends the process; nothing runs after it.
    unsafe { libc::_exit(status) }
}

/// A second descriptor for what `fd` refers to, like `fcntl(F_DUPFD_CLOEXEC)`.
pub fn duplicate(fd: RawFd) -> Result<std::os::fd::OwnedFd, i32> {
    use std::os::fd::FromRawFd;
    // SAFETY: a plain syscall; the new descriptor is ours alone.
    let new = check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) })?;
    // SAFETY: `new` was just opened and nothing else owns it.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(new) })
}

/// How many CPUs this process may run on (its affinity mask, which `taskset` and cgroups'
/// cpusets narrow), at least 1.
pub fn cpus_allowed() -> usize {
    // SAFETY: all-zero is an empty set, which the kernel fills.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: the set is ours, passed with its size.
    if unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) } != 0 {
        return std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    // SAFETY: counts the bits of a set the kernel filled.
    (unsafe { libc::CPU_COUNT(&set) } as usize).max(1)
}
