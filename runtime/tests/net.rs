//! Networking, signals and standard streams, tried as users would: the built binary as a
//! child process, real sockets on loopback, real signals.

mod common;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{Shutdown, TcpStream},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use common::{connect, Program, TempDir, BIN};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn echo(stream: &mut TcpStream, message: &[u8]) -> Vec<u8> {
    stream.write_all(message).unwrap();
    let mut back = vec![0; message.len()];
    stream.read_exact(&mut back).unwrap();
    back
}

/// Closes with a reset (RST) instead of an orderly end of stream.
fn reset(stream: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    // SAFETY: setting an option of our own socket, passed by pointer with its size.
    let set = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0);
    drop(stream);
}

#[test]
fn the_echo_example_serves_and_shuts_down_gracefully_on_sigint_and_sigterm() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let example = repo().join("examples/echo.ts");
        // The leak check tears the engine down at exit and fails the run if any socket is open.
        let mut program = Program::start(&repo(), &example, |c| {
            c.env("URINGY_CHECK_LEAKS", "1");
        });
        assert_eq!(program.line(), "listening for TCP connections on port 9000");
        let mut talking = connect(9000);
        let mut silent = connect(9000); // connects and sends nothing: its fiber waits in read
        let mut half = connect(9000);
        assert_eq!(echo(&mut talking, b"hello, uringy"), b"hello, uringy");
        assert_eq!(echo(&mut half, &[7; 100_000]), vec![7; 100_000]);
        half.shutdown(Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        half.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "the server ends its side once ours has ended");
        // A peer that resets (closes with unread data, SO_LINGER 0) ends its own connection
        // only: the others are still served.
        let mut rude = connect(9000);
        rude.write_all(&[1; 300_000]).unwrap();
        reset(rude);
        thread::sleep(Duration::from_millis(50));
        assert_eq!(echo(&mut talking, b"still there?"), b"still there?");

        program.signal(signal);
        assert_eq!(program.line(), "gracefully shutting down");
        let (status, stderr) = program.finish();
        assert_eq!(status, 0, "signal {signal}: {stderr}");
        for stream in [&mut talking, &mut silent] {
            let mut buf = [0; 16];
            assert_eq!(stream.read(&mut buf).unwrap(), 0, "every connection was closed");
        }
    }
}

/// The pattern docs/api/net.md teaches: a hand-written server whose connections catch their
/// own errors, so that a client resetting its connection (ECONNRESET) ends that connection
/// only, where an escaping error would fail the server (rule 7).
#[test]
fn the_chat_example_survives_a_client_resetting_its_connection_and_shuts_down_on_sigint() {
    let example = repo().join("examples/chat.ts");
    let mut program = Program::start(&repo(), &example, |c| {
        c.arg("0").env("URINGY_CHECK_LEAKS", "1");
    });
    let port: u16 = program.line().strip_prefix("chat on port ").expect("the port line").parse().unwrap();
    let mut alice = connect(port);
    let mut bob = connect(port);
    let mut rude = connect(port);
    rude.write_all(b"half a line").unwrap();
    reset(rude);
    thread::sleep(Duration::from_millis(50));
    let heard = |stream: &mut TcpStream| {
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        line
    };
    alice.write_all(b"hello\n").unwrap();
    let line = heard(&mut bob);
    assert!(line.ends_with(": hello\n"), "{line:?}");
    bob.write_all(b"hi back\n").unwrap();
    assert!(heard(&mut alice).ends_with(": hi back\n"));
    program.signal(libc::SIGINT);
    assert_eq!(program.line(), "shutting down");
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("ECONNRESET"), "the reset connection was reported: {stderr}");
}

#[test]
fn accept_out_of_descriptors_backs_off_and_serves_everyone_once_descriptors_free_up() {
    let dir = TempDir::new();
    let script = dir.write(
        "server.ts",
        r#"
        import { spawn } from "uringy:fiber";
        import { TcpListener } from "uringy:net";
        const listener = TcpListener.bind(0, "127.0.0.1");
        console.log(listener.addr.port);
        for (const stream of listener.incoming()) {
          spawn(() => {
            const buf = new Uint8Array(64);
            const n = stream.read(buf);
            stream.write(buf.subarray(0, n));
            stream.close();
          });
        }
        "#,
    );
    // 40 descriptors: the runtime's own plus a few connections.
    let mut program = Program::start(dir.path(), &script, |c| {
        // SAFETY: setrlimit between fork and exec touches no shared state.
        unsafe {
            c.pre_exec(|| {
                let limit = libc::rlimit { rlim_cur: 40, rlim_max: 40 };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });
    let port: u16 = program.line().parse().unwrap();
    // More connections than descriptors: the kernel completes them all (backlog), the server
    // runs out while accepting them.
    let mut clients: Vec<TcpStream> = (0..100).map(|_| connect(port)).collect();
    thread::sleep(Duration::from_millis(200));
    for (i, client) in clients.iter_mut().enumerate() {
        let message = format!("message {i}");
        assert_eq!(echo(client, message.as_bytes()), message.as_bytes(), "connection {i}");
    }
    let mut child = program.child;
    child.kill().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let _ = child.wait();
    assert!(stderr.contains("EMFILE") && stderr.contains("retrying"), "the back-off is reported: {stderr}");
    // Once per episode of running out (the clients free descriptors one by one, so there are
    // a few), not once per retry.
    let warnings = stderr.matches("EMFILE").count();
    assert!(warnings < 20, "{warnings} warnings: {stderr}");
}

#[test]
fn ten_thousand_concurrent_connections_each_exchanging_messages_are_all_answered() {
    const CONNECTIONS: usize = 10_000;
    let dir = TempDir::new();
    let server = dir.write(
        "server.ts",
        r#"
        import { spawn } from "uringy:fiber";
        import { TcpListener, type TcpStream } from "uringy:net";
        import { copy } from "uringy:io";
        const listener = TcpListener.bind(0, "127.0.0.1", { backlog: 4096 });
        console.log(listener.addr.port);
        for (const stream of listener.incoming()) spawn(() => handleConnection(stream));
        function handleConnection(stream: TcpStream) {
          const [r, w] = stream.split();
          copy(r, w);
        }
        "#,
    );
    // The clients are fibers of a second uringy, so each process needs one descriptor per
    // connection (the machine's limit is per process).
    let client = dir.write(
        "client.ts",
        &format!(
            r#"
        import {{ spawn, scope }} from "uringy:fiber";
        import {{ TcpStream }} from "uringy:net";
        const port = Number(process.argv[2]);
        let answered = 0;
        scope(() => {{
          for (let i = 0; i < {CONNECTIONS}; i++) {{
            spawn(() => {{
              const stream = TcpStream.connect("127.0.0.1", port);
              const buf = new Uint8Array(64);
              for (let m = 0; m < 3; m++) {{
                const message = `connection ${{i}} message ${{m}}`;
                stream.write(message);
                let got = "";
                while (got.length < message.length) {{
                  const n = stream.read(buf);
                  if (n === 0) throw new Error(`connection ${{i}}: end of stream`);
                  got += new TextDecoder().decode(buf.subarray(0, n));
                }}
                if (got !== message) throw new Error(`connection ${{i}}: sent ${{message}}, got ${{got}}`);
              }}
              answered++;
              stream.close();
            }});
          }}
        }});
        console.log(`${{answered}} answered`);
        "#
        ),
    );
    let mut program = Program::start(dir.path(), &server, |_| {});
    let port = program.line();
    let start = Instant::now();
    let run = Command::new(BIN).arg(&client).arg(&port).current_dir(dir.path()).output().unwrap();
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let mut child = program.child;
    child.kill().unwrap();
    let _ = child.wait();
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout.trim(), format!("{CONNECTIONS} answered"), "took {elapsed:?}");
}

#[test]
fn listeners_run_on_fibers_and_a_signal_nobody_waits_for_any_more_takes_its_default_action() {
    let dir = TempDir::new();
    let script = dir.write(
        "signals.ts",
        r#"
        import { sleep, spawn, yieldNow } from "uringy:fiber";
        import { onSignal, waitForSignal } from "uringy:process";
        let heard = 0;
        const off = onSignal("SIGUSR1", (name) => {
          sleep(1); // a listener may wait: it runs on a fiber
          heard++;
          console.log(`heard ${name}`);
        });
        console.log("ready");
        console.log(`waited for ${waitForSignal("SIGUSR2", "SIGHUP")}`);
        off();
        // Waiting before saying so, or the test's SIGTERM could come first.
        const term = spawn(() => waitForSignal("SIGTERM"));
        yieldNow();
        console.log(`heard ${heard}`);
        term.join();
        console.log("second wait over");
        sleep(10_000);
        console.log("not reached: SIGTERM with nobody waiting ends the process");
        "#,
    );
    let mut program = Program::start(dir.path(), &script, |_| {});
    assert_eq!(program.line(), "ready");
    for _ in 0..2 {
        program.signal(libc::SIGUSR1);
        assert_eq!(program.line(), "heard SIGUSR1");
    }
    program.signal(libc::SIGHUP);
    assert_eq!(program.line(), "waited for SIGHUP");
    assert_eq!(program.line(), "heard 2");
    program.signal(libc::SIGTERM);
    assert_eq!(program.line(), "second wait over");
    program.signal(libc::SIGTERM);
    let (status, stderr) = program.finish();
    assert_eq!(status, 128 + libc::SIGTERM, "killed by the signal, as without Uringy: {stderr}");
}

#[test]
fn a_fiber_waiting_for_a_signal_keeps_the_program_alive_until_it_arrives() {
    let dir = TempDir::new();
    let script = dir.write(
        "wait.ts",
        r#"
        import { waitForSignal } from "uringy:process";
        console.log("waiting");
        console.log(waitForSignal("SIGUSR2"));
        "#,
    );
    let mut program = Program::start(dir.path(), &script, |_| {});
    assert_eq!(program.line(), "waiting");
    thread::sleep(Duration::from_millis(300));
    program.signal(libc::SIGUSR2);
    assert_eq!(program.line(), "SIGUSR2");
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn stdin_and_stdout_go_through_the_ring_and_copy_passes_every_byte() {
    let dir = TempDir::new();
    let script = dir.write(
        "cat.ts",
        r#"
        import { copy, stdin, stdout, stderr } from "uringy:io";
        const n = copy(stdin, stdout);
        stderr.write(`copied ${n}\n`);
        "#,
    );
    let input: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut child = Command::new(BIN)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = {
        let input = input.clone();
        thread::spawn(move || stdin.write_all(&input))
    };
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.stdout.len(), input.len());
    assert!(output.stdout == input, "the bytes arrive unchanged and in order");
    assert_eq!(String::from_utf8_lossy(&output.stderr), format!("copied {}\n", input.len()));
}

#[test]
fn read_all_of_stdin_returns_everything_until_end_of_stream() {
    let dir = TempDir::new();
    let script = dir.write(
        "all.ts",
        r#"
        import { readAll, stdin } from "uringy:io";
        const bytes = readAll(stdin);
        console.log(bytes.length, new TextDecoder().decode(bytes.subarray(0, 5)));
        "#,
    );
    let mut child = Command::new(BIN).arg(&script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut input = b"hello".to_vec();
    input.resize(200_000, b'!');
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "200000 hello\n");
}

#[test]
fn a_signal_the_process_ignored_before_is_still_ignored_once_nobody_waits_for_it() {
    let dir = TempDir::new();
    let script = dir.write(
        "pipe.ts",
        r#"
        import { sleep, spawn, yieldNow } from "uringy:fiber";
        import { waitForSignal } from "uringy:process";
        // Waiting before saying so, or the test's signal could come first.
        const pipe = spawn(() => waitForSignal("SIGPIPE"));
        yieldNow();
        console.log("waiting");
        console.log(pipe.join());
        sleep(300);
        console.log("still here");
        "#,
    );
    let mut program = Program::start(dir.path(), &script, |_| {});
    assert_eq!(program.line(), "waiting");
    program.signal(libc::SIGPIPE);
    assert_eq!(program.line(), "SIGPIPE");
    // The runtime ignores SIGPIPE (write errors are EPIPE instead): with nobody waiting for it
    // any more, it is ignored again rather than given its default action (death).
    program.signal(libc::SIGPIPE);
    assert_eq!(program.line(), "still here");
    let (status, stderr) = program.finish();
    assert_eq!(status, 0, "{stderr}");
}
