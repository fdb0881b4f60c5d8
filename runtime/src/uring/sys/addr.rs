//! Socket addresses between JS (`hostname`, `port`; a path for Unix sockets) and the kernel.

use std::{
    mem,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

/// A socket address in the kernel's form, boxed by the operations that pass it to the ring.
#[derive(Clone, Copy)]
pub struct SockAddr {
    pub(crate) storage: libc::sockaddr_storage,
    pub(crate) len: libc::socklen_t,
}

impl SockAddr {
    /// Room for any address (what `accept` and `recvmsg` fill in).
    pub fn empty() -> SockAddr {
        // SAFETY: all-zero is a valid sockaddr_storage.
        SockAddr { storage: unsafe { mem::zeroed() }, len: mem::size_of::<libc::sockaddr_storage>() as _ }
    }

    /// A numeric IPv4 or IPv6 address and port; `None` for anything else (names are resolved
    /// in lib/ before they get here).
    pub fn ip(host: &str, port: u16) -> Option<SockAddr> {
        let ip: IpAddr = host.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
        let mut addr = SockAddr::empty();
        match ip {
            IpAddr::V4(v4) => {
                // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
                let sin = unsafe { &mut *(&mut addr.storage as *mut _ as *mut libc::sockaddr_in) };
                sin.sin_family = libc::AF_INET as _;
                sin.sin_port = port.to_be();
                sin.sin_addr.s_addr = u32::from(v4).to_be();
                addr.len = mem::size_of::<libc::sockaddr_in>() as _;
            }
            IpAddr::V6(v6) => {
                // SAFETY: as above.
                let sin6 = unsafe { &mut *(&mut addr.storage as *mut _ as *mut libc::sockaddr_in6) };
                sin6.sin6_family = libc::AF_INET6 as _;
                sin6.sin6_port = port.to_be();
                sin6.sin6_addr.s6_addr = v6.octets();
                addr.len = mem::size_of::<libc::sockaddr_in6>() as _;
            }
        }
        Some(addr)
    }

    /// A Unix socket path; `None` if it does not fit (108 bytes with its NUL).
    pub fn unix(path: &str) -> Option<SockAddr> {
        let mut addr = SockAddr::empty();
        // SAFETY: as above.
        let sun = unsafe { &mut *(&mut addr.storage as *mut _ as *mut libc::sockaddr_un) };
        let bytes = path.as_bytes();
        if bytes.is_empty() || bytes.len() >= sun.sun_path.len() || bytes.contains(&0) {
            return None;
        }
        sun.sun_family = libc::AF_UNIX as _;
        for (to, from) in sun.sun_path.iter_mut().zip(bytes) {
            *to = *from as libc::c_char;
        }
        addr.len = (mem::offset_of!(libc::sockaddr_un, sun_path) + bytes.len() + 1) as _;
        Some(addr)
    }

    /// Where the kernel writes an address and its length.
    pub(crate) fn as_mut_parts(&mut self) -> (*mut libc::sockaddr, *mut libc::socklen_t) {
        (&mut self.storage as *mut _ as *mut libc::sockaddr, &mut self.len)
    }

    pub fn family(&self) -> i32 {
        self.storage.ss_family as i32
    }

    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        &self.storage as *const _ as *const libc::sockaddr
    }

    /// `(hostname, port)`; a Unix socket's path with port 0.
    pub fn parts(&self) -> (String, u16) {
        match self.family() {
            libc::AF_INET => {
                // SAFETY: the family says which sockaddr this is.
                let sin = unsafe { &*(&self.storage as *const _ as *const libc::sockaddr_in) };
                (Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)).to_string(), u16::from_be(sin.sin_port))
            }
            libc::AF_INET6 => {
                // SAFETY: as above.
                let sin6 = unsafe { &*(&self.storage as *const _ as *const libc::sockaddr_in6) };
                (Ipv6Addr::from(sin6.sin6_addr.s6_addr).to_string(), u16::from_be(sin6.sin6_port))
            }
            libc::AF_UNIX => {
                // SAFETY: as above.
                let sun = unsafe { &*(&self.storage as *const _ as *const libc::sockaddr_un) };
                let len = (self.len as usize).saturating_sub(mem::offset_of!(libc::sockaddr_un, sun_path));
                let path: Vec<u8> = sun.sun_path.iter().take(len).map(|c| *c as u8).take_while(|c| *c != 0).collect();
                (String::from_utf8_lossy(&path).into_owned(), 0)
            }
            _ => (String::new(), 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_survive_the_round_trip_through_the_kernel_form() {
        assert_eq!(SockAddr::ip("127.0.0.1", 80).unwrap().parts(), ("127.0.0.1".into(), 80));
        assert_eq!(SockAddr::ip("[::1]", 8080).unwrap().parts(), ("::1".into(), 8080));
        assert_eq!(SockAddr::unix("/tmp/s").unwrap().parts(), ("/tmp/s".into(), 0));
        assert!(SockAddr::ip("localhost", 1).is_none());
        assert!(SockAddr::unix(&"x".repeat(200)).is_none());
    }
}
