//! `uringy --threads N` and `uringy:thread`, tried as users would: the built binary as a child
//! process, real sockets on loopback, real signals. One test per rule of API.md (13–17).

mod common;

use std::{
    collections::HashMap,
    ffi::OsStr,
    io::{Read, Write},
    net::TcpListener,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use common::{connect, uringy_in, Program, TempDir, BIN};

/// A port free now (the kernel picks it; the test's listener is closed at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `uringy ARGS FILE` with `source` in FILE, in `dir`.
fn start(dir: &TempDir, name: &str, source: &str, args: &[&str]) -> Program {
    let script = dir.write(name, source);
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.push(script.as_os_str());
    Program::start_args(dir.path(), &all, |_| {})
}

/// Lines until `n` of them start with `prefix`.
fn wait_for(program: &mut Program, prefix: &str, n: usize) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < n {
        let line = program.line();
        if line.starts_with(prefix) {
            seen.push(line);
        }
    }
    seen
}

#[test]
fn rule_13_new_connections_spread_over_the_threads_listeners() {
    let dir = TempDir::new();
    let port = free_port();
    let mut program = start(
        &dir,
        "spread.ts",
        &format!(
            r#"
            import {{ TcpListener }} from "uringy:net";
            import {{ threadId }} from "uringy:thread";
            const listener = TcpListener.bind({port}, "127.0.0.1");
            console.log(`ready ${{threadId}}`);
            for (const stream of listener.incoming()) {{
              stream.write(String(threadId));
              stream.close();
            }}
            "#
        ),
        &["--threads", "2"],
    );
    wait_for(&mut program, "ready", 2);
    let mut served: HashMap<String, usize> = HashMap::new();
    for _ in 0..200 {
        let mut stream = connect(port);
        let mut id = String::new();
        stream.read_to_string(&mut id).unwrap();
        *served.entry(id).or_default() += 1;
    }
    program.signal(libc::SIGTERM);
    program.finish();
    for id in ["0", "1"] {
        let n = served.get(id).copied().unwrap_or(0);
        assert!(n >= 40, "thread {id} served {n} of 200 connections: {served:?}");
    }
}

#[test]
fn rule_13_closing_one_threads_listener_hands_its_queued_connections_to_another_thread() {
    let dir = TempDir::new();
    let port = free_port();
    let mut program = start(
        &dir,
        "handover.ts",
        &format!(
            r#"
            import {{ sleep, spawn }} from "uringy:fiber";
            import {{ TcpListener }} from "uringy:net";
            import {{ waitForSignal }} from "uringy:process";
            import {{ threadId }} from "uringy:thread";
            const listener = TcpListener.bind({port}, "127.0.0.1");
            // Waiting for the signals before saying so, or the test's could come first.
            const term = spawn(() => waitForSignal("SIGTERM"));
            const usr1 = spawn(() => threadId === 1 && waitForSignal("SIGUSR1"));
            sleep(20);
            console.log(`ready ${{threadId}}`);
            if (threadId === 0) {{
              const server = spawn(() => {{
                for (const stream of listener.incoming()) {{
                  stream.write("served by 0");
                  stream.close();
                }}
              }});
              term.join();
              server.cancel();
            }} else {{
              // Never accepts: what the kernel queues here waits until the listener closes.
              usr1.join();
              listener.close();
              console.log("closed 1");
              term.join();
            }}
            "#
        ),
        &["--threads", "2"],
    );
    wait_for(&mut program, "ready", 2);
    let streams: Vec<_> = (0..100).map(|_| connect(port)).collect();
    program.signal(libc::SIGUSR1);
    wait_for(&mut program, "closed 1", 1);
    for (n, mut stream) in streams.into_iter().enumerate() {
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap_or_else(|e| panic!("connection {n}: {e}"));
        assert_eq!(reply, "served by 0", "connection {n}");
    }
    program.signal(libc::SIGTERM);
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn rule_13_and_15_the_echo_example_serves_from_every_thread_and_sigterm_ends_them_all() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let dir = TempDir::new();
    let mut program =
        start(&dir, "echo.ts", &std::fs::read_to_string(repo.join("examples/echo.ts")).unwrap(), &["--threads", "2"]);
    wait_for(&mut program, "listening", 2);
    for _ in 0..20 {
        let mut stream = connect(9000);
        stream.write_all(b"hello").unwrap();
        let mut back = [0; 5];
        stream.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"hello");
    }
    program.signal(libc::SIGTERM);
    wait_for(&mut program, "gracefully shutting down", 2);
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn rule_14_a_failure_in_one_thread_is_reported_with_its_id_and_cancels_the_others_promptly() {
    let dir = TempDir::new();
    let program = start(
        &dir,
        "fail.ts",
        r#"
        import { sleep } from "uringy:fiber";
        import { threadId } from "uringy:thread";
        if (threadId === 1) {
          sleep(100);
          throw new Error("boom in thread one");
        }
        try {
          sleep(60_000);
        } finally {
          console.log(`thread ${threadId} unwound`);
        }
        "#,
        &["--threads", "3"],
    );
    let started = Instant::now();
    let (status, stderr) = program.finish();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("[thread 1] error: Uncaught Error: boom in thread one"), "{stderr}");
    assert!(stderr.lines().all(|line| line.starts_with("[thread 1] ")), "one report, every line prefixed: {stderr}");
    assert_eq!(stderr.matches("error: Uncaught").count(), 1, "{stderr}");
}

#[test]
fn rule_14_process_exit_in_any_thread_ends_the_process_with_its_code() {
    let dir = TempDir::new();
    dir.write(
        "exit.ts",
        r#"
        import { sleep } from "uringy:fiber";
        import { threadId } from "uringy:thread";
        if (threadId === 1) { sleep(50); process.exit(7); }
        sleep(60_000);
        "#,
    );
    let started = Instant::now();
    let run = uringy_in(dir.path(), &["--threads", "2", "exit.ts"]);
    assert_eq!(run.status, 7, "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn rule_15_sigterm_reaches_every_threads_wait_for_signal() {
    let dir = TempDir::new();
    let mut program = start(
        &dir,
        "signal.ts",
        r#"
        import { sleep, spawn } from "uringy:fiber";
        import { waitForSignal } from "uringy:process";
        import { threadId } from "uringy:thread";
        const term = spawn(() => waitForSignal("SIGTERM"));
        sleep(20); // waiting before saying so, or the test's signal could come first
        console.log(`ready ${threadId}`);
        console.log(`thread ${threadId} got ${term.join()}`);
        "#,
        &["--threads", "3"],
    );
    wait_for(&mut program, "ready", 3);
    program.signal(libc::SIGTERM);
    let mut got = wait_for(&mut program, "thread", 3);
    got.sort();
    assert_eq!(got, ["thread 0 got SIGTERM", "thread 1 got SIGTERM", "thread 2 got SIGTERM"]);
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn rule_16_a_hundred_thousand_messages_between_two_threads_arrive_in_order() {
    let dir = TempDir::new();
    dir.write(
        "order.ts",
        r#"
        import { recv, send, threadId } from "uringy:thread";
        const N = 100_000;
        if (threadId === 1) {
          for (let i = 0; i < N; i++) send(0, { i, text: `message ${i}` });
        } else {
          for (let i = 0; i < N; i++) {
            const { from, message } = recv() as { from: number; message: { i: number; text: string } };
            if (from !== 1 || message.i !== i || message.text !== `message ${i}`) {
              throw new Error(`message ${i}: got ${JSON.stringify(message)} from ${from}`);
            }
          }
          console.log(`${N} in order`);
        }
        "#,
    );
    let run = uringy_in(dir.path(), &["--threads", "2", "order.ts"]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "100000 in order\n"), "{}", run.stderr);
}

#[test]
fn rule_16_sending_to_a_thread_that_ended_or_to_no_thread_throws() {
    let dir = TempDir::new();
    dir.write(
        "ended.ts",
        r#"
        import { sleep } from "uringy:fiber";
        import { recv, send, threadId } from "uringy:thread";
        if (threadId === 0) {
          recv(); // thread 1 says it is about to end
          let sent = 0;
          const deadline = Date.now() + 5000;
          try {
            while (Date.now() < deadline) { send(1, sent++); sleep(1); }
            console.log("never refused");
          } catch (e) {
            console.log(`refused after ${sent > 0 ? "some" : "none"}: ${(e as Error).message}`);
          }
          try { send(2, 1); } catch (e) { console.log(`${(e as Error).name}: ${(e as Error).message}`); }
        } else {
          send(0, "bye");
        }
        "#,
    );
    let run = uringy_in(dir.path(), &["--threads", "2", "ended.ts"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("refused after some: send: thread 1 has ended"), "{}", run.stdout);
    assert!(run.stdout.contains("RangeError: send: no thread 2 (thread ids are 0 to 1)"), "{}", run.stdout);
}

#[test]
fn rule_16_a_thread_waiting_in_recv_when_every_other_thread_has_ended_is_not_left_hanging() {
    let dir = TempDir::new();
    dir.write(
        "alone.ts",
        r#"
        import { recv, threadId } from "uringy:thread";
        if (threadId === 0) recv();
        "#,
    );
    let started = Instant::now();
    let run = uringy_in(dir.path(), &["--threads", "2", "alone.ts"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("[thread 0] error: every fiber"), "{}", run.stderr);
}

#[test]
fn rule_17_console_lines_from_several_threads_never_interleave_within_a_line() {
    let dir = TempDir::new();
    dir.write(
        "lines.ts",
        r#"
        import { threadId } from "uringy:thread";
        const line = String(threadId).repeat(5000);
        for (let i = 0; i < 300; i++) console.log(line);
        "#,
    );
    let run = uringy_in(dir.path(), &["--threads", "4", "lines.ts"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1200);
    for line in lines {
        assert!(line.len() == 5000 && line.bytes().all(|b| b == line.as_bytes()[0]), "a mixed line: {line:.80}…");
    }
}

#[test]
fn threads_1_is_the_same_as_no_flag_and_auto_is_one_per_allowed_cpu() {
    let dir = TempDir::new();
    dir.write(
        "place.ts",
        r#"
        import { threadCount, threadId } from "uringy:thread";
        console.log(`${threadId} of ${threadCount}`);
        "#,
    );
    for args in [&["place.ts"][..], &["--threads", "1", "place.ts"]] {
        let run = uringy_in(dir.path(), args);
        assert_eq!((run.status, run.stdout.as_str()), (0, "0 of 1\n"), "{args:?}: {}", run.stderr);
    }
    let run = Command::new("taskset")
        .args(["-c", "0", BIN, "--threads", "auto", "place.ts"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "0 of 1\n", "taskset -c 0 allows one CPU");
}

#[test]
fn eight_idle_threads_take_at_most_64_mib_in_all() {
    let dir = TempDir::new();
    let mut program = start(
        &dir,
        "idle.ts",
        r#"
        import { sleep, spawn } from "uringy:fiber";
        import { waitForSignal } from "uringy:process";
        import { threadId } from "uringy:thread";
        const term = spawn(() => waitForSignal("SIGTERM"));
        sleep(20);
        console.log(`ready ${threadId}`);
        term.join();
        "#,
        &["--threads", "8"],
    );
    wait_for(&mut program, "ready", 8);
    std::thread::sleep(Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{}/status", program.child.id())).unwrap();
    let rss_kib: u64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches(" kB").parse().unwrap();
    program.signal(libc::SIGTERM);
    let (code, stderr) = program.finish();
    assert_eq!(code, 0, "{stderr}");
    assert!(rss_kib <= 64 * 1024, "8 idle threads: VmRSS {rss_kib} KiB");
}

#[test]
fn a_missing_file_under_threads_is_reported_once() {
    let dir = TempDir::new();
    let run = uringy_in(dir.path(), &["--threads", "4", "nope.ts"]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.matches("nope.ts").count(), 1, "{}", run.stderr);
}
