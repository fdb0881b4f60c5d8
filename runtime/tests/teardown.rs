//! Runtimes torn down while the process goes on (one per thread, one after another): each is
//! stopped in the middle of its program, with an accept, receives, a blocked send, an open of a
//! FIFO nobody reads, a sleep and a signal wait in flight, and dropped. Every operation
//! must have completed before its memory was freed (`Runtime::close` counts completions against
//! submissions), and nothing may be left behind: no descriptor, no growing memory.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use uringy::engine::{Entry, Options, Runtime};

const RUNTIMES: usize = 1000;

/// A server and a client of itself, each waiting on something that never comes.
fn program(fifo: &Path) -> String {
    format!(
        r#"
import {{ sleep, spawn }} from "uringy:fiber";
import {{ TcpListener, TcpStream }} from "uringy:net";
import {{ writeFile }} from "uringy:fs";
import {{ waitForSignal }} from "uringy:process";

const listener = TcpListener.bind(0, "127.0.0.1");
spawn(() => {{
  // Connections are held, never read: the client's big write stays blocked.
  for (const conn of listener.incoming()) spawn(() => {{ try {{ sleep(1e9); }} finally {{ conn.close(); }} }});
}});
const client = TcpStream.connect("127.0.0.1", listener.addr.port);
spawn(() => client.read(new Uint8Array(64)));
spawn(() => client.write(new Uint8Array(16 << 20)));
spawn(() => TcpStream.connect("127.0.0.1", listener.addr.port).read(new Uint8Array(64)));
spawn(() => writeFile({fifo:?}, "never read"));
spawn(() => waitForSignal("SIGUSR2"));
spawn(() => sleep(1e9));
"#
    )
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("procfs").count()
}

fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number")
}

fn run_and_drop(code: &str) {
    let options = Options::alone(256 * 1024);
    let mut runtime = Runtime::new(Entry::Code(code.to_owned()), Vec::new(), options).expect("set up");
    // Long enough for every fiber to reach its wait (a few turns), not for the program to end.
    let status = runtime.run(Some(Instant::now() + Duration::from_millis(15)));
    assert_eq!(status, None, "the program waits for ever: it must still be running when stopped");
    runtime.close().expect("nothing left over");
}

#[test]
fn a_thousand_runtimes_stopped_with_operations_in_flight_leave_nothing_behind() {
    let dir = std::env::temp_dir().join(format!("uringy-teardown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let code = program(&fifo);

    // The first runtimes warm up what stays for the process (the allocator's arenas, the
    // signal owner's pipes); what comes after must not grow.
    for _ in 0..20 {
        run_and_drop(&code);
    }
    let (descriptors, rss) = (open_descriptors(), rss_kib());
    let started = Instant::now();
    for _ in 20..RUNTIMES {
        run_and_drop(&code);
    }
    let (after, grown) = (open_descriptors(), rss_kib().saturating_sub(rss));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(after, descriptors, "descriptors before and after {} runtimes", RUNTIMES - 20);
    // A runtime's own memory is a few MiB (engine, ring, buffers): a leak of one per runtime
    // would grow by gigabytes.
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB over {} runtimes", RUNTIMES - 20);
    eprintln!("{} runtimes in {:?}, RSS grew {grown} KiB", RUNTIMES - 20, started.elapsed());
}
