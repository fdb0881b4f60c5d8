//! The native baseline of bench/echo: a TCP echo server on io_uring, single-threaded.
//!
//!     echo-native [PORT]        (default 9000; listens on 0.0.0.0)
//!
//! What a careful hand-written server does, and no more: one multishot accept; per connection
//! one buffer and one op in flight at a time (recv, then send of what came, until all of it
//! went, then recv again); TCP_NODELAY on every accepted socket; all new ops of a turn go to the
//! kernel in one `io_uring_enter` that also waits for the next completion. The ring is set
//! up with SINGLE_ISSUER | DEFER_TASKRUN when the kernel has them (6.1+), else plain.
//! SIGINT/SIGTERM keep their default action (the process ends; the kernel closes the sockets).
use io_uring::{cqueue, opcode, squeue, types, IoUring, SubmissionQueue, Submitter};
use std::net::TcpListener;
use std::os::fd::AsRawFd;

/// Per-connection buffer: an echo of up to this many bytes is one recv + one send. A page, so
/// an idle connection costs about one page of RSS (a zeroed allocation is written in full).
const BUF: usize = 4096;
/// `user_data` of the accept; every other op is `conn index << 1 | (0 recv, 1 send)`.
const ACCEPT: u64 = u64::MAX;
/// `user_data` of a close: nothing is done when it completes.
const CLOSE: u64 = u64::MAX - 1;

struct Conn {
    fd: i32,
    buf: Box<[u8]>,
    /// Bytes of `buf` received and to be echoed, and how many of them are sent already.
    len: usize,
    sent: usize,
}

/// Queues an entry, first handing the queue to the kernel when it is full.
fn push(submitter: &Submitter, sq: &mut SubmissionQueue, entry: squeue::Entry) {
    // SAFETY: every buffer an entry points to lives in `conns` until that entry completes: a
    // slot is freed only on the completion of its connection's last op.
    while unsafe { sq.push(&entry) }.is_err() {
        sq.sync();
        submitter.submit().expect("io_uring_enter");
        sq.sync();
    }
}

fn recv(c: &mut Conn, i: usize) -> squeue::Entry {
    opcode::Recv::new(types::Fd(c.fd), c.buf.as_mut_ptr(), BUF as u32).build().user_data((i as u64) << 1)
}

fn send(c: &Conn, i: usize) -> squeue::Entry {
    let rest = &c.buf[c.sent..c.len];
    opcode::Send::new(types::Fd(c.fd), rest.as_ptr(), rest.len() as u32).build().user_data((i as u64) << 1 | 1)
}

fn main() {
    let port: u16 = std::env::args().nth(1).map_or(9000, |p| p.parse().expect("port"));
    let listener = TcpListener::bind(("0.0.0.0", port)).expect("bind");
    let lfd = listener.as_raw_fd();
    // std listens with a backlog of 128; ask for what net.core.somaxconn allows, like the peers.
    unsafe { libc::listen(lfd, 4096) };

    let mut ring: IoUring = IoUring::builder()
        .setup_cqsize(16384)
        .setup_single_issuer()
        .setup_defer_taskrun()
        .build(4096)
        .or_else(|_| IoUring::builder().setup_cqsize(16384).build(4096))
        .expect("io_uring_setup");
    let (submitter, mut sq, mut cq) = ring.split();
    let accept = opcode::AcceptMulti::new(types::Fd(lfd)).build().user_data(ACCEPT);
    push(&submitter, &mut sq, accept.clone());
    eprintln!("echo-native: listening on 0.0.0.0:{port}");

    let mut conns: Vec<Conn> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let one: libc::c_int = 1;
    loop {
        sq.sync();
        match submitter.submit_and_wait(1) {
            Ok(_) => {}
            // A signal, or completions to reap first: go on to the completion queue.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY | libc::EAGAIN)) => {}
            Err(e) => panic!("io_uring_enter: {e}"),
        }
        cq.sync();
        for cqe in &mut cq {
            let (res, ud) = (cqe.result(), cqe.user_data());
            if ud == CLOSE {
                continue;
            }
            if ud == ACCEPT {
                if !cqueue::more(cqe.flags()) {
                    push(&submitter, &mut sq, accept.clone()); // the kernel ended the multishot
                }
                if res < 0 {
                    eprintln!("echo-native: accept: {}", std::io::Error::from_raw_os_error(-res));
                    continue;
                }
                unsafe {
                    let p = &one as *const libc::c_int as *const libc::c_void;
                    libc::setsockopt(res, libc::IPPROTO_TCP, libc::TCP_NODELAY, p, 4);
                }
                let i = match free.pop() {
                    Some(i) => {
                        conns[i].fd = res;
                        i
                    }
                    None => {
                        let buf = vec![0u8; BUF].into_boxed_slice();
                        conns.push(Conn { fd: res, buf, len: 0, sent: 0 });
                        conns.len() - 1
                    }
                };
                let e = recv(&mut conns[i], i);
                push(&submitter, &mut sq, e);
                continue;
            }
            let (i, is_send) = ((ud >> 1) as usize, ud & 1 == 1);
            let c = &mut conns[i];
            if res <= 0 {
                // EOF or an error (e.g. ECONNRESET): the connection is done.
                let e = opcode::Close::new(types::Fd(c.fd)).build().user_data(CLOSE);
                push(&submitter, &mut sq, e);
                free.push(i);
                continue;
            }
            let e = if is_send {
                c.sent += res as usize;
                if c.sent < c.len {
                    send(c, i)
                } else {
                    recv(c, i)
                }
            } else {
                (c.len, c.sent) = (res as usize, 0);
                send(c, i)
            };
            push(&submitter, &mut sq, e);
        }
    }
}
