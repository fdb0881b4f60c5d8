//! The load generator of bench/echo: single-threaded, on io_uring, meant to be pinned to a CPU
//! of its own (`taskset -c 1`).
//!
//!     echo-load [--conns 50] [--size 64] [--duration 5] [--warmup 1] [--host 127.0.0.1]
//!               [--port 9000] [--server-pid PID] [--idle] [--parallel 128] [--timeout 60]
//!
//! Opens `--conns` TCP connections (TCP_NODELAY), at most `--parallel` of them being set up at
//! once; a connection is set up when its first round trip is done, so the server has accepted
//! it and its handler runs. A round trip: send `--size` bytes, read until exactly `--size`
//! bytes came back, compare them with what was sent, repeat. The bytes are a pattern of the
//! connection's own with the round trip's sequence number at both ends, so data of another
//! connection, a stale or a short echo does not compare equal. A wrong echo, an early EOF or a
//! socket error is an error: the connection stops and the run fails (exit status 1).
//!
//! Load mode (default): after all connections are set up, `--warmup` seconds, then a window
//! of `--duration` seconds. Prints one JSON line: round trips in the window and per second,
//! errors, this process's CPU use in the window (if it nears 100 % the load generator, not the
//! server, may be the bottleneck) and, with `--server-pid`, the server's user+system CPU time
//! in the window from /proc/PID/stat, per round trip. After the window no new round trip
//! starts; the ones in flight are finished (a server that does not answer within 5 s is an
//! error) so that every socket closes with nothing unread: a FIN, never a reset.
//!
//! Idle mode (`--idle`): each connection does one round trip, then all stay open and idle.
//! Prints `{"phase":"ready",...}` when all are set up, then waits for EOF on stdin and exits.
use io_uring::{opcode, squeue, types, IoUring, SubmissionQueue, Submitter};
use std::io::Read;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const CONNECT: u64 = 0;
const SEND: u64 = 1;
const RECV: u64 = 2;
/// IORING_RECVSEND_POLL_FIRST (Linux 5.19): arm the poll before the first attempt.
const RECVSEND_POLL_FIRST: u16 = 1;

struct Conn {
    fd: i32,
    tx: Box<[u8]>,
    rx: Box<[u8]>,
    seq: u64,
    sent: usize,
    got: usize,
    /// Its first round trip is done.
    set_up: bool,
    dead: bool,
}

struct Args {
    conns: usize,
    size: usize,
    duration: f64,
    warmup: f64,
    host: Ipv4Addr,
    port: u16,
    server_pid: Option<u32>,
    idle: bool,
    parallel: usize,
    timeout: f64,
}

fn parse_args() -> Args {
    let mut a = Args {
        conns: 50,
        size: 64,
        duration: 5.0,
        warmup: 1.0,
        host: Ipv4Addr::LOCALHOST,
        port: 9000,
        server_pid: None,
        idle: false,
        parallel: 128,
        timeout: 60.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--idle" {
            a.idle = true;
            continue;
        }
        let v = it.next().unwrap_or_else(|| die(&format!("{flag} needs a value")));
        fn num<T: std::str::FromStr>(flag: &str, v: &str) -> T {
            v.parse().unwrap_or_else(|_| die(&format!("bad value for {flag}: {v}")))
        }
        match flag.as_str() {
            "--conns" => a.conns = num(&flag, &v),
            "--size" => a.size = num(&flag, &v),
            "--duration" => a.duration = num(&flag, &v),
            "--warmup" => a.warmup = num(&flag, &v),
            "--host" => a.host = num(&flag, &v),
            "--port" => a.port = num(&flag, &v),
            "--server-pid" => a.server_pid = Some(num(&flag, &v)),
            "--parallel" => a.parallel = num(&flag, &v),
            "--timeout" => a.timeout = num(&flag, &v),
            _ => die(&format!("unknown flag {flag}")),
        }
    }
    if a.conns == 0 || a.size == 0 || a.parallel == 0 {
        die("--conns, --size and --parallel must be > 0");
    }
    a
}

fn die(msg: &str) -> ! {
    eprintln!("echo-load: {msg}");
    std::process::exit(2);
}

fn push(submitter: &Submitter, sq: &mut SubmissionQueue, entry: squeue::Entry) {
    // SAFETY: the buffers and the address an entry points to outlive it: `conns` is never
    // resized after setup and `addr` lives until the process exits.
    while unsafe { sq.push(&entry) }.is_err() {
        sq.sync();
        submitter.submit().expect("io_uring_enter");
        sq.sync();
    }
}

/// Stamps the next sequence number into `tx` and queues its send and the matching recv.
fn start_round_trip(c: &mut Conn, i: usize, submitter: &Submitter, sq: &mut SubmissionQueue) {
    c.seq += 1;
    let n = c.tx.len();
    let seq = c.seq.to_le_bytes();
    let head = n.min(8);
    c.tx[..head].copy_from_slice(&seq[..head]);
    if n >= 16 {
        c.tx[n - 8..].copy_from_slice(&seq);
    }
    (c.sent, c.got) = (0, 0);
    let ud = (i as u64) << 2;
    let send = opcode::Send::new(types::Fd(c.fd), c.tx.as_ptr(), n as u32).build().user_data(ud | SEND);
    // The echo cannot be there yet: wait for it (POLL_FIRST) rather than try a recv now.
    let recv = opcode::Recv::new(types::Fd(c.fd), c.rx.as_mut_ptr(), n as u32)
        .ioprio(RECVSEND_POLL_FIRST)
        .build()
        .user_data(ud | RECV);
    push(submitter, sq, send);
    push(submitter, sq, recv);
}

/// utime + stime of a process (all its threads), in seconds.
fn proc_cpu(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of proc(5); `after` starts at field 3.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64)
}

fn self_cpu() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn main() {
    let a = parse_args();

    // Room for the sockets: the soft limit up to the hard one.
    unsafe {
        let mut rl: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl);
        rl.rlim_cur = rl.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur as usize) < a.conns + 32 {
            die(&format!("open-file limit {} is too low for {} connections (ulimit -n)", rl.rlim_cur, a.conns));
        }
    }

    let mut ring: IoUring = IoUring::builder()
        .setup_cqsize(32768)
        .setup_single_issuer()
        .setup_defer_taskrun()
        .build(4096)
        .or_else(|_| IoUring::builder().setup_cqsize(32768).build(4096))
        .expect("io_uring_setup");
    let (submitter, mut sq, mut cq) = ring.split();

    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: a.port.to_be(),
        sin_addr: libc::in_addr { s_addr: u32::from(a.host).to_be() },
        sin_zero: [0; 8],
    };
    let mut conns: Vec<Conn> = (0..a.conns)
        .map(|i| {
            // The connection's own pattern: bytes of a simple generator seeded by its index.
            let mut x = (i as u32).wrapping_mul(2654435761) | 1;
            let tx: Box<[u8]> = (0..a.size)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            Conn {
                fd: -1,
                tx,
                rx: vec![0u8; a.size].into_boxed_slice(),
                seq: 0,
                sent: 0,
                got: 0,
                set_up: false,
                dead: false,
            }
        })
        .collect();

    let one: libc::c_int = 1;
    let mut next_conn = 0; // next connection to open
    let mut setting_up = 0; // opened, first round trip not done yet
    let mut set_up = 0;
    let mut dead = 0;
    let mut errors = 0u64;
    let mut mismatches = 0u64;
    let mut first_error: Option<String> = None;
    let mut rts = 0u64;

    let t_start = Instant::now();
    let mut t_setup: Option<Instant> = None;
    // The measured window: round trips, server CPU, own CPU and time, at its start and its end.
    let mut window: Option<(u64, Option<f64>, f64, Instant)> = None;
    let mut window_end: Option<(u64, Option<f64>, f64, Instant)> = None;
    let mut busy = 0usize; // connections with a round trip in flight
    let timeout = Duration::from_secs_f64(a.timeout);
    let ts = types::Timespec::new().nsec(50_000_000);
    let wait = types::SubmitArgs::new().timespec(&ts);

    loop {
        // Open connections up to the parallel limit.
        while next_conn < a.conns && setting_up < a.parallel {
            let i = next_conn;
            next_conn += 1;
            setting_up += 1;
            let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
            if fd < 0 {
                die(&format!("socket: {}", std::io::Error::last_os_error()));
            }
            unsafe {
                let p = &one as *const libc::c_int as *const libc::c_void;
                libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, p, 4);
            }
            conns[i].fd = fd;
            let sa = &addr as *const libc::sockaddr_in as *const libc::sockaddr;
            let e = opcode::Connect::new(types::Fd(fd), sa, std::mem::size_of_val(&addr) as u32)
                .build()
                .user_data((i as u64) << 2 | CONNECT);
            push(&submitter, &mut sq, e);
        }

        let now = Instant::now();
        if t_setup.is_none() {
            if set_up + dead == a.conns && next_conn == a.conns {
                t_setup = Some(now);
                if a.idle {
                    break;
                }
            } else if now - t_start > timeout {
                errors += 1;
                first_error
                    .get_or_insert(format!("only {set_up} of {} connections set up in {} s", a.conns, a.timeout));
                break;
            }
        }
        if let Some(ts) = t_setup {
            match window {
                None if (now - ts).as_secs_f64() >= a.warmup => {
                    window = Some((rts, a.server_pid.and_then(proc_cpu), self_cpu(), now));
                }
                Some((_, _, _, w0)) if window_end.is_none() && (now - w0).as_secs_f64() >= a.duration => {
                    window_end = Some((rts, a.server_pid.and_then(proc_cpu), self_cpu(), now));
                }
                _ => {}
            }
        }
        if let Some((_, _, _, w1)) = window_end {
            if busy == 0 {
                break;
            }
            if now - w1 > Duration::from_secs(5) {
                errors += 1;
                first_error.get_or_insert(format!("{busy} round trips still unanswered 5 s after the window"));
                break;
            }
        }
        if dead == a.conns {
            break;
        }

        sq.sync();
        match submitter.submit_with_args(1, &wait) {
            Ok(_) => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::ETIME) | Some(libc::EINTR) | Some(libc::EBUSY)) => {}
            Err(e) => die(&format!("io_uring_enter: {e}")),
        }
        cq.sync();
        for cqe in &mut cq {
            let (res, ud) = (cqe.result(), cqe.user_data());
            let (i, op) = ((ud >> 2) as usize, ud & 3);
            let c = &mut conns[i];
            if c.dead {
                continue;
            }
            let fail = if res < 0 {
                let what = ["connect", "send", "recv"][op as usize];
                Some(format!("conn {i}: {what}: {}", std::io::Error::from_raw_os_error(-res)))
            } else if op == RECV && res == 0 {
                Some(format!("conn {i}: EOF after {} of {} bytes of round trip {}", c.got, c.rx.len(), c.seq))
            } else {
                None
            };
            if let Some(msg) = fail {
                errors += 1;
                first_error.get_or_insert(msg);
                c.dead = true;
                dead += 1;
                if op != CONNECT {
                    busy -= 1;
                }
                if !c.set_up {
                    setting_up -= 1;
                }
                continue;
            }
            let n = c.tx.len();
            match op {
                CONNECT => {
                    busy += 1;
                    start_round_trip(c, i, &submitter, &mut sq)
                }
                SEND => {
                    c.sent += res as usize;
                    if c.sent < n {
                        let rest = &c.tx[c.sent..];
                        let e = opcode::Send::new(types::Fd(c.fd), rest.as_ptr(), rest.len() as u32)
                            .build()
                            .user_data((i as u64) << 2 | SEND);
                        push(&submitter, &mut sq, e);
                    }
                }
                _ => {
                    c.got += res as usize;
                    if c.got < n {
                        let rest = &mut c.rx[c.got..];
                        let e = opcode::Recv::new(types::Fd(c.fd), rest.as_mut_ptr(), rest.len() as u32)
                            .build()
                            .user_data((i as u64) << 2 | RECV);
                        push(&submitter, &mut sq, e);
                    }
                }
            }
            // A round trip is done when all was sent and all came back (either CQE may be last).
            if op != CONNECT && c.sent == n && c.got == n {
                if c.rx != c.tx {
                    let at = c.rx.iter().zip(c.tx.iter()).position(|(x, y)| x != y).unwrap_or(0);
                    errors += 1;
                    mismatches += 1;
                    first_error
                        .get_or_insert(format!("conn {i}: wrong echo in round trip {} at byte {at} of {n}", c.seq));
                    c.dead = true;
                    dead += 1;
                    busy -= 1;
                    if !c.set_up {
                        setting_up -= 1;
                    }
                    continue;
                }
                rts += 1;
                busy -= 1;
                if !c.set_up {
                    c.set_up = true;
                    setting_up -= 1;
                    set_up += 1;
                    if a.idle {
                        continue; // stays open, idle
                    }
                }
                if window_end.is_none() {
                    busy += 1;
                    start_round_trip(c, i, &submitter, &mut sq);
                }
            }
        }
    }

    let setup_ms = t_setup.map_or(-1.0, |t| (t - t_start).as_secs_f64() * 1e3);
    let err_json = first_error.as_deref().map_or("null".to_string(), json_str);
    if a.idle {
        println!(
            "{{\"phase\":\"ready\",\"conns\":{},\"size\":{},\"set_up\":{set_up},\"errors\":{errors},\"mismatches\":{mismatches},\"first_error\":{err_json},\"setup_ms\":{setup_ms:.1}}}",
            a.conns, a.size
        );
        // Hold every connection open until the harness closes our stdin.
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(if errors == 0 { 0 } else { 1 });
    }

    let now = (rts, a.server_pid.and_then(proc_cpu), self_cpu(), Instant::now());
    let (rts0, srv0, own0, w0) = window.unwrap_or(now);
    let (rts1, srv1, own1, w1) = window_end.unwrap_or(now);
    let secs = (w1 - w0).as_secs_f64();
    let n = rts1 - rts0;
    let rps = if secs > 0.0 { n as f64 / secs } else { 0.0 };
    let own_pct = if secs > 0.0 { (own1 - own0) / secs * 100.0 } else { 0.0 };
    let srv = match (srv0, srv1) {
        (Some(s0), Some(s1)) if n > 0 => {
            let s = s1 - s0;
            format!(
                "\"server_cpu_s\":{s:.3},\"server_cpu_pct\":{:.1},\"server_us_per_rt\":{:.3}",
                s / secs * 100.0,
                s / n as f64 * 1e6
            )
        }
        _ => "\"server_cpu_s\":null,\"server_cpu_pct\":null,\"server_us_per_rt\":null".to_string(),
    };
    println!(
        "{{\"phase\":\"done\",\"conns\":{},\"size\":{},\"set_up\":{set_up},\"secs\":{secs:.3},\"rts\":{n},\"rps\":{rps:.1},\"errors\":{errors},\"mismatches\":{mismatches},\"first_error\":{err_json},\"load_cpu_pct\":{own_pct:.1},{srv},\"setup_ms\":{setup_ms:.1}}}",
        a.conns, a.size
    );
    std::process::exit(if errors == 0 && window_end.is_some() { 0 } else { 1 });
}
