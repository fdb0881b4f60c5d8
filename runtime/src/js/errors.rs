//! Errors from the system, as API.md shapes them: an `Error` with `code` ("ECONNRESET"),
//! `errno` (negative, as in Node), `syscall`, and `path` or `address`/`port` where there is
//! one; its message names all of them, e.g. `ENOENT: no such file or directory, open '/x'`.

use std::ffi::CStr;

use rquickjs::{Ctx, Exception, Object, Value};

/// What the failed call was acting on, for the message and the error's properties.
pub enum Target<'a> {
    None,
    Path(&'a str),
    /// Two paths (rename, symlink, copy): the message names both, `path` is the first.
    Paths(&'a str, &'a str),
    Address(&'a str, u16),
    /// What the call was for, in words: the message ends with it in parentheses.
    What(&'a str),
}

/// Throws a `TypeError` with `message`, which may be of any length (the engine's own throw
/// functions cut messages at 255 bytes).
pub fn type_error(ctx: &Ctx<'_>, message: &str) -> rquickjs::Error {
    with_message(ctx, Exception::throw_type(ctx, ""), message)
}

/// Throws a `RangeError`; see [`type_error`].
pub fn range_error(ctx: &Ctx<'_>, message: &str) -> rquickjs::Error {
    with_message(ctx, Exception::throw_range(ctx, ""), message)
}

/// Throws a `SyntaxError`; see [`type_error`].
pub fn syntax_error(ctx: &Ctx<'_>, message: &str) -> rquickjs::Error {
    with_message(ctx, Exception::throw_syntax(ctx, ""), message)
}

/// Throws an `InternalError` (a fault of the runtime, not of the program); see [`type_error`].
pub fn internal_error(ctx: &Ctx<'_>, message: &str) -> rquickjs::Error {
    with_message(ctx, Exception::throw_internal(ctx, ""), message)
}

/// Throws an `Error`; see [`type_error`].
pub fn plain_error(ctx: &Ctx<'_>, message: &str) -> rquickjs::Error {
    with_message(ctx, Exception::throw_message(ctx, ""), message)
}

/// The error just thrown (made by the engine, so of its class and with its stack), with
/// `message` set in full.
fn with_message(ctx: &Ctx<'_>, _thrown: rquickjs::Error, message: &str) -> rquickjs::Error {
    let error = ctx.catch();
    if let Some(object) = error.as_object() {
        let _ = object.set("message", message);
    }
    ctx.throw(error)
}

/// `ENOMEM` for `bytes` that could not be allocated for `what` (data a program gave or asked
/// for): an error it can catch, where a failed Rust allocation would end the process.
#[cold]
pub fn out_of_memory(ctx: &Ctx<'_>, bytes: usize, what: &str) -> rquickjs::Error {
    let size = match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{b} bytes"),
    };
    throw_sys(ctx, libc::ENOMEM, "malloc", Target::What(&format!("{size} for {what}")))
}

/// Makes room for `more` bytes in `buf`, or throws [`out_of_memory`].
pub fn reserve(ctx: &Ctx<'_>, buf: &mut Vec<u8>, more: usize, what: &str) -> rquickjs::Result<()> {
    buf.try_reserve_exact(more).map_err(|_| out_of_memory(ctx, more, what))
}

/// A copy of `bytes`, or [`out_of_memory`].
pub fn copy_of(ctx: &Ctx<'_>, bytes: &[u8], what: &str) -> rquickjs::Result<Vec<u8>> {
    let mut copy = Vec::new();
    reserve(ctx, &mut copy, bytes.len(), what)?;
    copy.extend_from_slice(bytes);
    Ok(copy)
}

/// Builds the error and throws it; returns the engine's exception marker.
pub fn throw_sys(ctx: &Ctx<'_>, errno: i32, syscall: &str, target: Target<'_>) -> rquickjs::Error {
    match sys_error(ctx, errno, syscall, target) {
        Ok(error) => ctx.throw(error),
        Err(e) => e,
    }
}

pub fn sys_error<'js>(ctx: &Ctx<'js>, errno: i32, syscall: &str, target: Target<'_>) -> rquickjs::Result<Value<'js>> {
    let errno = errno.abs();
    let code = code(errno);
    let what = match target {
        Target::None => String::new(),
        Target::Path(path) => format!(" '{path}'"),
        Target::Paths(from, to) => format!(" '{from}' -> '{to}'"),
        Target::Address(host, port) if host.contains(':') => format!(" [{host}]:{port}"),
        Target::Address(host, port) if port == 0 && host.starts_with('/') => format!(" {host}"),
        Target::Address(host, port) => format!(" {host}:{port}"),
        Target::What(what) => format!(" ({what})"),
    };
    let message = format!("{code}: {}, {syscall}{what}", describe(errno));
    let error: Object = ctx.globals().get::<_, rquickjs::function::Constructor>("Error")?.construct((message,))?;
    error.set("code", code)?;
    error.set("errno", -errno)?;
    error.set("syscall", syscall)?;
    match target {
        Target::Path(path) => error.set("path", path)?,
        Target::Paths(from, to) => {
            error.set("path", from)?;
            error.set("dest", to)?;
        }
        Target::Address(host, port) => {
            error.set("address", host)?;
            if port != 0 {
                error.set("port", port)?;
            }
        }
        Target::None | Target::What(_) => {}
    }
    Ok(error.into_value())
}

/// The system's description, starting lower-case as in Node's messages.
fn describe(errno: i32) -> String {
    let mut buf = [0 as libc::c_char; 128];
    // SAFETY: the XSI strerror_r writes a NUL-terminated string into `buf`.
    let text = unsafe {
        if libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) != 0 {
            return format!("error {errno}");
        }
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// The symbolic name of `errno`.
pub fn code(errno: i32) -> String {
    let name = match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ENOTTY => "ENOTTY",
        libc::ETXTBSY => "ETXTBSY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EROFS => "EROFS",
        libc::EMLINK => "EMLINK",
        libc::EPIPE => "EPIPE",
        libc::ERANGE => "ERANGE",
        libc::EDEADLK => "EDEADLK",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ELOOP => "ELOOP",
        libc::ENODATA => "ENODATA",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::EILSEQ => "EILSEQ",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EDESTADDRREQ => "EDESTADDRREQ",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::EPROTOTYPE => "EPROTOTYPE",
        libc::ENOPROTOOPT => "ENOPROTOOPT",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::ENETDOWN => "ENETDOWN",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::ENETRESET => "ENETRESET",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ENOBUFS => "ENOBUFS",
        libc::EISCONN => "EISCONN",
        libc::ENOTCONN => "ENOTCONN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::EHOSTDOWN => "EHOSTDOWN",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EALREADY => "EALREADY",
        libc::EINPROGRESS => "EINPROGRESS",
        libc::ECANCELED => "ECANCELED",
        libc::EDQUOT => "EDQUOT",
        _ => return format!("E{errno}"),
    };
    name.to_owned()
}
