// `uringy:net`: TCP, UDP and Unix sockets over real loopback sockets (no mocks), named after
// the behaviour each test proves. Every listener binds port 0 and reads the port it got.
//
// Every test body runs on a fiber of its own inside a time limit, and waits for every fiber it
// spawned (the runner's `timeout` is a scope), so each test ends what it starts.

import { test, expect, describe } from "uringy:test";
import { spawn, sleep, yieldNow, timeout, Cancelled, TimeoutError, type Fiber } from "uringy:fiber";
import { TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream, resolve, type Addr } from "uringy:net";
import { copy, type Reader } from "uringy:io";
import { thrown as caught, pair, pattern, firstDifference } from "./helpers.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

const now = (): number => performance.now();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Within SOON, "at once" happened: a cancellation or close that works ends a wait in
// milliseconds; one that does not shows as a slow test or a timeout.
const SOON = 500;

/** Reads exactly `n` bytes (fails at an early end of stream). */
function readExactly(r: Reader, n: number): Uint8Array {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = r.read(buf.subarray(got));
    if (k === 0) throw new Error(`end of stream after ${got} of ${n} bytes`);
    got += k;
  }
  return buf;
}

/** Reads until end of stream. */
function readToEnd(r: Reader, chunk = 65536): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(chunk);
  for (;;) {
    const n = r.read(buf);
    if (n === 0) break;
    parts.push(buf.slice(0, n));
    total += n;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

function readText(r: Reader, n: number): string {
  return decoder.decode(readExactly(r, n));
}

/** Waits (up to `ms`) until `condition()` holds; fails if it never does. */
function waitUntil(condition: () => boolean, ms = 2000, what = "condition"): void {
  const deadline = now() + ms;
  while (!condition()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(1);
  }
}

interface EchoServer {
  port: number;
  /** Errors the connection handlers ended with (other than being cancelled). */
  errors: unknown[];
  /** How many connections were accepted. */
  accepted(): number;
  /** How many handlers' copy() returned (end of stream, or the peer gone). */
  finished(): number;
  stop(): void;
}

/** API.md's echo server (split + copy per connection) on 127.0.0.1, port 0. A handler that
 *  fails records its error instead of failing the server. */
function startEchoServer(options: { backlog?: number } = {}): EchoServer {
  const listener = TcpListener.bind(0, "127.0.0.1", options);
  const errors: unknown[] = [];
  let accepted = 0, finished = 0;
  const server = spawn(() => {
    for (const stream of listener.incoming()) {
      accepted++;
      spawn(() => {
        const [r, w] = stream.split();
        try {
          copy(r, w);
          finished++;
        } catch (error) {
          if (!(error instanceof Cancelled)) errors.push(error);
        } finally {
          r.close();
          w.close();
        }
      });
    }
  });
  return {
    port: listener.addr.port,
    errors,
    accepted: () => accepted,
    finished: () => finished,
    stop() {
      listener.close();
      server.cancel(); // ends the handlers of connections still open
      try {
        server.join();
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
      }
    },
  };
}

/** Proves an echo connection still works: sends `message` and expects it back. */
function echoes(stream: TcpStream, message: string): void {
  const bytes = encoder.encode(message);
  expect(stream.write(bytes)).toBe(bytes.length);
  expect(readText(stream, bytes.length)).toBe(message);
}

/** A connection that is stuck in connect: the listener's accept queue (backlog 0 holds one)
 *  is full, so loopback drops the SYN and the client waits to retry. */
function withFullBacklog(body: (listener: TcpListener, connecting: Fiber<TcpStream>) => void): void {
  const listener = TcpListener.bind(0, "127.0.0.1", { backlog: 0 });
  const held: TcpStream[] = [];
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      const connecting = spawn(() => TcpStream.connect("127.0.0.1", listener.addr.port));
      sleep(50);
      if (connecting.done) {
        held.push(connecting.join()); // it fitted in the queue: fill it further
        continue;
      }
      body(listener, connecting);
      return;
    }
    throw new Error("could not fill the accept queue of a backlog-0 listener");
  } finally {
    for (const s of held) s.close();
    listener.close();
  }
}

// ---------------------------------------------------------------------------------------------

describe("TcpListener", () => {
  test("bind on port 0 binds a free port and addr shows it", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      expect(listener.addr.hostname).toBe("127.0.0.1");
      expect(listener.addr.port).toBeGreaterThan(0);
      expect(listener.addr.port).toBeLessThanOrEqual(65535);
      // The port is real: a client reaches it.
      const [client, server] = pair(listener);
      expect(client.remoteAddr.port).toBe(listener.addr.port);
      client.close();
      server.close();
    } finally {
      listener.close();
    }
  });

  test("bind defaults to 0.0.0.0, reachable over 127.0.0.1", () => {
    const listener = TcpListener.bind(0);
    try {
      expect(listener.addr.hostname).toBe("0.0.0.0");
      const [client, server] = pair(listener);
      expect(server.localAddr).toEqual({ hostname: "127.0.0.1", port: listener.addr.port });
      client.close();
      server.close();
    } finally {
      listener.close();
    }
  });

  test("bind to a port in use throws EADDRINUSE naming the address", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const port = listener.addr.port;
      const error = caught(() => TcpListener.bind(port, "127.0.0.1"));
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe("EADDRINUSE");
      expect(error.syscall).toBe("bind");
      expect(error.address).toBe("127.0.0.1");
      expect(error.port).toBe(port);
      expect(error.message).toContain("EADDRINUSE");
      expect(error.message).toContain(`127.0.0.1:${port}`);
    } finally {
      listener.close();
    }
  });

  test("bind to an IPv6 port in use names the address in brackets", () => {
    const listener = TcpListener.bind(0, "::1");
    try {
      const port = listener.addr.port;
      const error = caught(() => TcpListener.bind(port, "::1"));
      expect(error.code).toBe("EADDRINUSE");
      expect(error.message).toContain(`[::1]:${port}`);
    } finally {
      listener.close();
    }
  });

  test("a closed listener's port can be bound again at once", () => {
    const first = TcpListener.bind(0, "127.0.0.1");
    const port = first.addr.port;
    const [client, server] = pair(first);
    client.close();
    server.close(); // leaves a connection in TIME_WAIT on the port
    first.close();
    const again = TcpListener.bind(port, "127.0.0.1");
    expect(again.addr.port).toBe(port);
    again.close();
  });

  test("reusePort lets two listeners share a port, and both get connections", () => {
    const a = TcpListener.bind(0, "127.0.0.1", { reusePort: true });
    const b = TcpListener.bind(a.addr.port, "127.0.0.1", { reusePort: true });
    expect(b.addr.port).toBe(a.addr.port);
    // Without reusePort, the port is still taken.
    expect(caught(() => TcpListener.bind(a.addr.port, "127.0.0.1")).code).toBe("EADDRINUSE");
    const counts = [0, 0];
    const acceptors = [a, b].map((listener, i) =>
      spawn(() => {
        for (const s of listener.incoming()) {
          counts[i]++;
          s.close();
        }
      })
    );
    const N = 32;
    const clients: TcpStream[] = [];
    for (let i = 0; i < N; i++) clients.push(TcpStream.connect("127.0.0.1", a.addr.port));
    waitUntil(() => counts[0] + counts[1] === N, 2000, "every connection to be accepted");
    a.close();
    b.close();
    for (const f of acceptors) f.join();
    for (const c of clients) c.close();
    expect(counts[0] + counts[1]).toBe(N);
    // The kernel spreads connections over the group by a hash of the 4-tuple: with 32
    // connections, one listener getting none has odds of 2^-31.
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  test("accept returns a TcpStream whose addresses mirror the client's", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const [client, server] = pair(listener);
      expect(server instanceof TcpStream).toBe(true);
      expect(server.localAddr).toEqual({ hostname: "127.0.0.1", port: listener.addr.port });
      expect(server.remoteAddr).toEqual(client.localAddr);
      expect(client.remoteAddr).toEqual(server.localAddr);
      expect(client.localAddr.hostname).toBe("127.0.0.1");
      expect(client.localAddr.port).toBeGreaterThan(0);
      expect(client.localAddr.port).not.toBe(listener.addr.port);
      // And it is connected to that client.
      client.write("hi");
      expect(readText(server, 2)).toBe("hi");
      client.close();
      server.close();
    } finally {
      listener.close();
    }
  });

  test("incoming() yields each connection and ends normally when another fiber closes the listener", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const seen: Addr[] = [];
    const loop = spawn(() => {
      for (const stream of listener.incoming()) {
        seen.push(stream.remoteAddr);
        stream.close();
      }
      return "ended";
    });
    const c1 = TcpStream.connect("127.0.0.1", listener.addr.port);
    const c2 = TcpStream.connect("127.0.0.1", listener.addr.port);
    waitUntil(() => seen.length === 2, 2000, "two connections");
    const started = now();
    listener.close();
    expect(loop.join()).toBe("ended"); // for-of exited normally, nothing thrown
    expect(now() - started).toBeLessThan(SOON);
    expect(seen.map((a) => a.port).sort()).toEqual([c1.localAddr.port, c2.localAddr.port].sort());
    c1.close();
    c2.close();
  });

  test("accept on a closed listener throws EBADF", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    listener.close();
    listener.close(); // idempotent
    const error = caught(() => listener.accept());
    expect(error.code).toBe("EBADF");
    expect(error.syscall).toBe("accept");
  });

  test("a listener no longer referenced anywhere is closed", () => {
    const port = (() => TcpListener.bind(0, "127.0.0.1").addr.port)();
    expect(caught(() => TcpStream.connect("127.0.0.1", port)).code).toBe("ECONNREFUSED");
  });

  test("close() stops listening: connecting afterwards is refused", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const port = listener.addr.port;
    listener.close();
    expect(caught(() => TcpStream.connect("127.0.0.1", port)).code).toBe("ECONNREFUSED");
  });

  test("`using` closes a listener at the end of its block", () => {
    let port = 0;
    {
      using listener = TcpListener.bind(0, "127.0.0.1");
      port = listener.addr.port;
      const [client, server] = pair(listener); // open inside the block
      client.close();
      server.close();
    }
    expect(caught(() => TcpStream.connect("127.0.0.1", port)).code).toBe("ECONNREFUSED");
  });

  test("[Symbol.dispose]() closes a listener", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const port = listener.addr.port;
    listener[Symbol.dispose]();
    expect(caught(() => TcpStream.connect("127.0.0.1", port)).code).toBe("ECONNREFUSED");
  });

  test("hostname \"localhost\" binds 127.0.0.1", () => {
    const listener = TcpListener.bind(0, "localhost");
    try {
      expect(listener.addr.hostname).toBe("127.0.0.1");
      const [client, server] = pair(listener);
      echoPair(client, server);
    } finally {
      listener.close();
    }
  });

  test("hostname \"::1\" listens on IPv6 loopback", () => {
    const listener = TcpListener.bind(0, "::1");
    try {
      expect(listener.addr.hostname).toBe("::1");
      const [client, server] = pair(listener, "::1");
      expect(server.remoteAddr).toEqual(client.localAddr);
      expect(server.remoteAddr.hostname).toBe("::1");
      expect(client.remoteAddr).toEqual({ hostname: "::1", port: listener.addr.port });
      echoPair(client, server);
    } finally {
      listener.close();
    }
  });

  test("hostname \"::\" takes both IPv6 and IPv4 connections", () => {
    const listener = TcpListener.bind(0, "::");
    try {
      expect(listener.addr.hostname).toBe("::");
      const [c6, s6] = pair(listener, "::1");
      expect(s6.remoteAddr.hostname).toBe("::1");
      echoPair(c6, s6);
      const [c4, s4] = pair(listener, "127.0.0.1");
      // An IPv4 peer of an IPv6 socket is an IPv4-mapped address, as in Node.
      expect(s4.remoteAddr.hostname).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(s4.remoteAddr.port).toBe(c4.localAddr.port);
      echoPair(c4, s4);
    } finally {
      listener.close();
    }
  });

  test("bind rejects a port outside 0-65535 with a RangeError", () => {
    expect(() => TcpListener.bind(65536)).toThrow(RangeError);
    expect(() => TcpListener.bind(-1)).toThrow(RangeError);
    expect(() => TcpListener.bind(1.5)).toThrow(RangeError);
  });
});

/** Both directions of a fresh pair carry bytes; then both are closed. */
function echoPair(client: TcpStream, server: TcpStream): void {
  client.write("ping");
  expect(readText(server, 4)).toBe("ping");
  server.write("pong");
  expect(readText(client, 4)).toBe("pong");
  client.close();
  server.close();
}

// ---------------------------------------------------------------------------------------------

describe("TcpStream", () => {
  test("a read into a resizable buffer that shrinks while the read waits gives the bytes that no longer fit to the next read", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    const buffer = new ArrayBuffer(16, { maxByteLength: 64 });
    const view = new Uint8Array(buffer); // tracks the buffer's length
    spawn(() => {
      buffer.resize(4); // while the read below waits
      sleep(5);
      server.write("hello world");
    });
    const n = client.read(view);
    expect(n).toBe(4);
    expect(new TextDecoder().decode(view)).toBe("hell");
    const rest = new Uint8Array(32);
    const m = client.read(rest);
    expect(new TextDecoder().decode(rest.subarray(0, m))).toBe("o world");
    for (const s of [client, server, listener]) s.close();
  });

  test("remoteAddr is known after the peer has reset the connection (getpeername would say ENOTCONN)", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const client = TcpStream.connect("127.0.0.1", listener.addr.port);
    const local = client.localAddr;
    const server = listener.accept();
    server.write("never read");
    sleep(10);
    client.close(); // with unread data: the kernel resets the connection
    sleep(10);
    expect(caught(() => server.write("x".repeat(100_000))).code).toBe("ECONNRESET");
    expect(server.remoteAddr).toEqual(local);
    expect(client.remoteAddr).toEqual({ hostname: "127.0.0.1", port: listener.addr.port });
    server.close();
    listener.close();
  });

  test("a read into an array detached while the read waits throws, and the bytes go to the next read", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    const target = new Uint8Array(16);
    spawn(() => {
      target.buffer.transfer(); // detaches `target`
      sleep(5);
      server.write("kept");
    });
    expect(caught(() => client.read(target))).toBeInstanceOf(TypeError);
    const again = new Uint8Array(16);
    const n = client.read(again);
    expect(new TextDecoder().decode(again.subarray(0, n))).toBe("kept");
    for (const s of [client, server, listener]) s.close();
  });

  test("connect to a closed port throws ECONNREFUSED with syscall, address and port", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const port = listener.addr.port;
    listener.close();
    const error = caught(() => TcpStream.connect("127.0.0.1", port));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.syscall).toBe("connect");
    expect(error.address).toBe("127.0.0.1");
    expect(error.port).toBe(port);
    expect(typeof error.errno).toBe("number");
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  test("connect(\"localhost\", port) reaches a listener on 127.0.0.1", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const client = TcpStream.connect("localhost", listener.addr.port);
      const server = listener.accept();
      expect(client.remoteAddr).toEqual({ hostname: "127.0.0.1", port: listener.addr.port });
      echoPair(client, server);
    } finally {
      listener.close();
    }
  });

  test("write writes everything: 4 MiB in one call reaches a slow reader intact", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const data = pattern(4 * 1024 * 1024);
    const reader = spawn(() => {
      // Small reads, and a pause now and then: the writer's sends come back short and
      // are retried.
      const parts: Uint8Array[] = [];
      const buf = new Uint8Array(16 * 1024);
      let reads = 0;
      for (;;) {
        const n = server.read(buf);
        if (n === 0) break;
        parts.push(buf.slice(0, n));
        if (++reads % 32 === 0) sleep(1);
      }
      const all = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      return all;
    });
    expect(client.write(data)).toBe(data.length);
    client.close();
    const received = reader.join();
    expect(received.length).toBe(data.length);
    expect(firstDifference(received, data)).toBe(-1);
    server.close();
  });

  test("read returns 0 at end of stream, and again after that", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.write("abc");
    client.close();
    const buf = new Uint8Array(16);
    let got = 0;
    for (let n; (n = server.read(buf.subarray(got))) > 0;) got += n;
    expect(decoder.decode(buf.subarray(0, got))).toBe("abc");
    expect(server.read(buf)).toBe(0);
    expect(server.read(buf)).toBe(0);
    server.close();
  });

  test("read into an empty array returns 0 at once and consumes nothing", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    // Nothing has arrived: it does not wait.
    const started = now();
    expect(server.read(new Uint8Array(0))).toBe(0);
    expect(now() - started).toBeLessThan(SOON);
    client.write("xyz");
    sleep(5);
    expect(server.read(new Uint8Array(0))).toBe(0);
    expect(readText(server, 3)).toBe("xyz");
    client.close();
    server.close();
  });

  test("write of a string sends its UTF-8 and returns the byte count", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const text = "héllo, wörld € 😀";
    const bytes = encoder.encode(text);
    expect(bytes.length).toBeGreaterThan(text.length); // multi-byte characters in it
    expect(client.write(text)).toBe(bytes.length);
    const received = readExactly(server, bytes.length);
    expect(Array.from(received)).toEqual(Array.from(bytes));
    expect(decoder.decode(received)).toBe(text);
    expect(client.write("")).toBe(0);
    expect(client.write(new Uint8Array(0))).toBe(0);
    client.close();
    server.close();
  });

  test("write of a subarray sends just its bytes", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const whole = encoder.encode("0123456789");
    expect(client.write(whole.subarray(3, 7))).toBe(4);
    client.close();
    expect(decoder.decode(readToEnd(server))).toBe("3456");
    server.close();
  });

  test("shutdown() half-closes: the peer reads end of stream and can still send back", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.write("request");
    client.shutdown();
    // The server sees the whole request, then end of stream.
    expect(decoder.decode(readToEnd(server))).toBe("request");
    // Our receiving side is still open.
    server.write("response");
    server.close();
    expect(decoder.decode(readToEnd(client))).toBe("response");
    // Writing after shutdown fails (our sending side has ended).
    const error = caught(() => client.write("more"));
    expect(error.code).toBe("EPIPE");
    client.close();
  });

  test("split(): reader and writer halves work from two fibers at once (1 MiB through an echo server)", () => {
    const echo = startEchoServer();
    try {
      const stream = TcpStream.connect("127.0.0.1", echo.port);
      const [r, w] = stream.split();
      const data = pattern(1024 * 1024, 12345);
      // Writing 1 MiB without reading the echo meanwhile would fill both sides' buffers and
      // stall: only a reader running at the same time lets it finish.
      const writer = spawn(() => {
        for (let at = 0; at < data.length; at += 16384) w.write(data.subarray(at, at + 16384));
        w.close(); // the echo server reads end of stream and ends its side
      });
      const reader = spawn(() => readToEnd(r));
      writer.join();
      const received = reader.join();
      expect(received.length).toBe(data.length);
      expect(firstDifference(received, data)).toBe(-1);
      r.close();
      expect(echo.errors).toEqual([]);
    } finally {
      echo.stop();
    }
  });

  test("split(): closing the writer half makes the peer read end of stream; the reader half still reads", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    w.write("last words");
    w.close();
    expect(decoder.decode(readToEnd(server))).toBe("last words");
    server.write("reply");
    server.close();
    expect(decoder.decode(readToEnd(r))).toBe("reply");
    r.close();
  });

  test("split(): closing only the reader half keeps the socket open for writing", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    r.close();
    w.write("still open");
    expect(readText(server, 10)).toBe("still open");
    w.close();
    expect(server.read(new Uint8Array(8))).toBe(0); // end of stream only now
    server.close();
  });

  test("split(): the socket is released once both halves are closed", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    server.write("unread"); // left unread in our socket
    sleep(5);
    w.close();
    expect(server.read(new Uint8Array(8))).toBe(0);
    r.close(); // now the socket is closed: with unread data, the kernel resets the connection
    expect(caught(() => r.read(new Uint8Array(8))).code).toBe("EBADF");
    expect(caught(() => w.write("x")).code).toBe("EBADF");
    // The peer learns that the socket is gone: its writes fail.
    let error: { code?: string } | undefined;
    for (let i = 0; i < 50 && error === undefined; i++) {
      try {
        server.write("anyone there?");
        sleep(5);
      } catch (e) {
        error = e as { code?: string };
      }
    }
    expect(["EPIPE", "ECONNRESET"]).toContain(error?.code);
    server.close();
  });

  test("split(): after split the stream itself refuses read and write with a TypeError", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    expect(() => client.read(new Uint8Array(4))).toThrow(TypeError);
    expect(() => client.write("x")).toThrow(TypeError);
    expect(() => client.split()).toThrow(TypeError);
    // Its addresses are still there while the halves hold the socket.
    expect(client.remoteAddr).toEqual({ hostname: "127.0.0.1", port: listener.addr.port });
    w.write("ok");
    expect(readText(server, 2)).toBe("ok");
    r.close();
    w.close();
    server.close();
  });

  test("split(): the halves are independent readers and writers of the same socket", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = server.split();
    // A reader fiber blocked in read does not hold up a write from another fiber.
    const reader = spawn(() => readText(r, 5));
    sleep(5);
    expect(reader.done).toBe(false);
    w.write("first");
    expect(readText(client, 5)).toBe("first");
    client.write("hello");
    expect(reader.join()).toBe("hello");
    r.close();
    w.close();
    client.close();
  });

  test("setNoDelay(true) (the default) sends small writes at once; false lets Nagle delay them", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      /** ms for `rounds` of write-write-read: with Nagle on, the second write waits for the
       *  ACK of the first, which the peer delays (40 ms on Linux). */
      const roundTrips = (client: TcpStream, server: TcpStream, rounds: number): number => {
        const peer = spawn(() => {
          for (let i = 0; i < rounds; i++) {
            readExactly(server, 2);
            server.write(new Uint8Array([1]));
          }
        });
        const started = now();
        for (let i = 0; i < rounds; i++) {
          client.write(new Uint8Array([1]));
          client.write(new Uint8Array([2]));
          readExactly(client, 1);
        }
        const elapsed = now() - started;
        peer.join();
        return elapsed;
      };
      const [c1, s1] = pair(listener);
      expect(roundTrips(c1, s1, 10)).toBeLessThan(100); // default: no delay
      c1.setNoDelay(false);
      expect(roundTrips(c1, s1, 10)).toBeGreaterThan(100);
      c1.setNoDelay(true);
      expect(roundTrips(c1, s1, 10)).toBeLessThan(100);
      c1.close();
      s1.close();
    } finally {
      listener.close();
    }
  });

  test("setNoDelay on a closed stream throws EBADF", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.close();
    expect(caught(() => client.setNoDelay(true)).code).toBe("EBADF");
    server.close();
  });

  test("read and write on a closed stream throw EBADF; close is idempotent", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.close();
    client.close();
    const readError = caught(() => client.read(new Uint8Array(4)));
    expect(readError.code).toBe("EBADF");
    expect(readError.syscall).toBe("read");
    const writeError = caught(() => client.write("x"));
    expect(writeError.code).toBe("EBADF");
    expect(writeError.syscall).toBe("write");
    expect(server.read(new Uint8Array(4))).toBe(0);
    server.close();
  });

  test("`using` closes a stream at the end of its block: the peer reads end of stream", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const server = (() => {
      using client = TcpStream.connect("127.0.0.1", listener.addr.port);
      client.write("bye");
      return listener.accept();
    })();
    listener.close();
    expect(decoder.decode(readToEnd(server))).toBe("bye");
    server.close();
  });

  test("close() on a stream after split() closes both halves", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    client.close();
    expect(caught(() => r.read(new Uint8Array(4))).code).toBe("EBADF");
    expect(caught(() => w.write("x")).code).toBe("EBADF");
    expect(server.read(new Uint8Array(4))).toBe(0);
    server.close();
  });

  test("a stream no longer referenced anywhere is closed: the peer reads end of stream", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    (() => {
      const dropped = TcpStream.connect("127.0.0.1", listener.addr.port);
      dropped.write("dropped");
    })();
    const server = listener.accept();
    listener.close();
    expect(decoder.decode(readToEnd(server))).toBe("dropped");
    server.close();
  });

  test("connect to a name that does not exist throws ENOTFOUND", () => {
    const error = caught(() => TcpStream.connect("no-such-host.invalid", 80));
    expect(error.code).toBe("ENOTFOUND");
    expect(error.hostname).toBe("no-such-host.invalid");
  });

  test("TcpStream cannot be constructed directly", () => {
    // @ts-expect-error: the constructor is private
    expect(() => new TcpStream()).toThrow(TypeError);
    // @ts-expect-error: the constructor is private
    expect(() => new TcpListener()).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------

describe("a misbehaving peer disturbs no other connection", () => {
  test("a peer that resets: our read throws ECONNRESET with syscall read; others still echo", () => {
    const echo = startEchoServer();
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const healthy = TcpStream.connect("127.0.0.1", echo.port);
      echoes(healthy, "before");
      const [client, server] = pair(listener);
      client.write("never read by the peer");
      sleep(5);
      server.close(); // closing with unread data sends RST
      const error = caught(() => client.read(new Uint8Array(64)));
      expect(error.code).toBe("ECONNRESET");
      expect(error.syscall).toBe("read");
      expect(error.message).toContain("ECONNRESET");
      echoes(healthy, "after");
      client.close();
      healthy.close();
      expect(echo.errors).toEqual([]);
    } finally {
      listener.close();
      echo.stop();
    }
  });

  test("a client that resets our echo server: its handler's copy() just ends (no error to fail the server); others still echo", () => {
    const echo = startEchoServer();
    try {
      const healthy = TcpStream.connect("127.0.0.1", echo.port);
      echoes(healthy, "before");
      const finishedBefore = echo.finished();
      const rude = TcpStream.connect("127.0.0.1", echo.port);
      // Send a lot and read none of the echo: the server's replies fill our receive buffer.
      const writer = spawn(() => {
        try {
          rude.write(pattern(512 * 1024));
        } catch {
          // the write may end with the reset below
        }
      });
      sleep(30);
      echoes(healthy, "meanwhile");
      rude.close(); // unread data: RST to the server
      writer.join();
      waitUntil(() => echo.finished() > finishedBefore, 2000, "the echo handler to end");
      expect(echo.errors).toEqual([]);
      echoes(healthy, "after");
      healthy.close();
    } finally {
      echo.stop();
    }
  });

  test("a peer that vanishes mid-write: writing 50 MB throws EPIPE or ECONNRESET, not a crash", () => {
    const echo = startEchoServer();
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const healthy = TcpStream.connect("127.0.0.1", echo.port);
      const [client, server] = pair(listener);
      const peer = spawn(() => {
        readExactly(server, 64 * 1024); // a little
        server.close(); // and gone, with more unread
      });
      const writer = spawn(() => caught(() => client.write(new Uint8Array(50 * 1024 * 1024))));
      // Others are served while the write is under way.
      echoes(healthy, "during");
      peer.join();
      const error = writer.join();
      expect(["EPIPE", "ECONNRESET"]).toContain(error.code);
      expect(error.syscall).toBe("write");
      echoes(healthy, "after");
      client.close();
      healthy.close();
    } finally {
      listener.close();
      echo.stop();
    }
  }, { timeout: 10000 });

  test("a peer that connects and sends nothing holds up no one else", () => {
    const echo = startEchoServer();
    try {
      const silent = TcpStream.connect("127.0.0.1", echo.port);
      const others = [];
      for (let i = 0; i < 10; i++) {
        others.push(spawn(() => {
          const s = TcpStream.connect("127.0.0.1", echo.port);
          echoes(s, `client ${i} says hello`);
          s.close();
        }));
      }
      const started = now();
      for (const f of others) f.join();
      expect(now() - started).toBeLessThan(SOON);
      // The silent one is still connected, and would be served too.
      echoes(silent, "finally");
      silent.close();
      expect(echo.errors).toEqual([]);
    } finally {
      echo.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("cancellation (rule 5)", () => {
  test("cancelling a fiber blocked in accept: join throws Cancelled at once; the listener still works", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const acceptor = spawn(() => listener.accept());
      sleep(10);
      expect(acceptor.done).toBe(false);
      const started = now();
      acceptor.cancel();
      expect(caught(() => acceptor.join())).toBeInstanceOf(Cancelled);
      expect(now() - started).toBeLessThan(SOON);
      // No connection was swallowed by the cancelled accept.
      const [client, server] = pair(listener);
      echoPair(client, server);
    } finally {
      listener.close();
    }
  });

  test("cancelling a fiber blocked in connect (accept queue full): join throws Cancelled at once", () => {
    withFullBacklog((listener, connecting) => {
      const started = now();
      connecting.cancel();
      expect(caught(() => connecting.join())).toBeInstanceOf(Cancelled);
      expect(now() - started).toBeLessThan(SOON);
      // The listener is still usable: drain the queue and connect again.
      const queued = listener.accept();
      queued.close();
      const client = TcpStream.connect("127.0.0.1", listener.addr.port);
      const server = listener.accept();
      echoPair(client, server);
    });
  });

  test("cancelling a fiber blocked in read: join throws Cancelled at once; the stream still reads", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const reader = spawn(() => client.read(new Uint8Array(16)));
    sleep(10);
    expect(reader.done).toBe(false);
    const started = now();
    reader.cancel();
    expect(caught(() => reader.join())).toBeInstanceOf(Cancelled);
    expect(now() - started).toBeLessThan(SOON);
    server.write("after");
    expect(readText(client, 5)).toBe("after");
    client.write("and back");
    expect(readText(server, 8)).toBe("and back");
    client.close();
    server.close();
  });

  test("cancelling a fiber blocked in write (peer never reads): join throws Cancelled at once; the stream closes", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const size = 64 * 1024 * 1024;
    const writer = spawn(() => client.write(new Uint8Array(size)));
    sleep(50);
    expect(writer.done).toBe(false);
    const started = now();
    writer.cancel();
    expect(caught(() => writer.join())).toBeInstanceOf(Cancelled);
    expect(now() - started).toBeLessThan(SOON);
    // The stream is still usable: a later write goes out after what the cancelled one sent
    // (once the peer reads, which it starts now).
    const reader = spawn(() => readToEnd(server, 1 << 20));
    client.write(new Uint8Array([7, 7, 7]));
    client.close();
    const received = reader.join();
    expect(received.length).toBeGreaterThan(3);
    expect(received.length).toBeLessThan(size);
    expect(Array.from(received.subarray(received.length - 3))).toEqual([7, 7, 7]);
    server.close();
  });

  test("cancelling a fiber blocked in recvFrom: join throws Cancelled; the socket still receives", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    const receiver = spawn(() => b.recvFrom(new Uint8Array(16)));
    sleep(10);
    const started = now();
    receiver.cancel();
    expect(caught(() => receiver.join())).toBeInstanceOf(Cancelled);
    expect(now() - started).toBeLessThan(SOON);
    a.sendTo("later", "127.0.0.1", b.addr.port);
    const buf = new Uint8Array(16);
    const { bytes } = b.recvFrom(buf);
    expect(decoder.decode(buf.subarray(0, bytes))).toBe("later");
    a.close();
    b.close();
  });

  test("a read cancelled 200 times as bytes arrive never loses a byte", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    let sent = 0;
    let received = 0;
    let mismatch = -1;
    const buf = new Uint8Array(4096);
    const expected = (i: number): number => (i * 7 + (i >>> 8)) & 0xff;
    const take = (n: number): void => {
      for (let i = 0; i < n; i++) {
        if (buf[i] !== expected(received + i) && mismatch < 0) mismatch = received + i;
      }
      received += n;
    };
    for (let round = 0; round < 200; round++) {
      const reader = spawn(() => {
        for (;;) {
          const n = client.read(buf);
          if (n === 0) return;
          take(n);
        }
      });
      yieldNow(); // the reader is now waiting in read
      const n = 1 + ((round * 797) % 3000);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i++) chunk[i] = expected(sent + i);
      sent += n;
      // Vary the order in which the cancel and the peer's send reach the kernel: cancel
      // first; both in one submission, either order; the send a turn or two ahead. In some
      // rounds the receive completes with bytes after cancel() was called: they must still
      // reach the reader, or stay in the socket for the next one.
      let writer: Fiber | undefined;
      const mode = round % 4;
      if (mode === 0) {
        reader.cancel();
        server.write(chunk);
      } else {
        writer = spawn(() => server.write(chunk));
        if (mode >= 2) yieldNow();
        if (mode === 3) yieldNow();
        reader.cancel();
      }
      try {
        reader.join();
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
      }
      writer?.join();
    }
    server.close();
    // The rest, read by a fiber nobody cancels.
    for (;;) {
      const n = client.read(buf);
      if (n === 0) break;
      take(n);
    }
    expect(received).toBe(sent);
    expect(mismatch).toBe(-1);
    client.close();
  });

  test("a recvFrom cancelled 200 times as datagrams arrive never loses a datagram", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    const got: number[] = [];
    const buf = new Uint8Array(16);
    const receive = (): void => {
      const { bytes } = b.recvFrom(buf);
      got.push(Number(decoder.decode(buf.subarray(0, bytes))));
    };
    try {
      for (let i = 0; i < 200; i++) {
        const receiver = spawn(() => {
          for (;;) receive();
        });
        yieldNow(); // waiting in recvFrom
        let sender: Fiber | undefined;
        if (i % 3 === 0) {
          receiver.cancel();
          a.sendTo(String(i), "127.0.0.1", b.addr.port);
        } else {
          sender = spawn(() => a.sendTo(String(i), "127.0.0.1", b.addr.port));
          if (i % 3 === 2) yieldNow();
          receiver.cancel();
        }
        try {
          receiver.join();
        } catch (error) {
          if (!(error instanceof Cancelled)) throw error;
        }
        sender?.join();
      }
      // The rest: whatever no cancelled receiver took is still queued.
      a.sendTo("-1", "127.0.0.1", b.addr.port); // the end marker
      while (got[got.length - 1] !== -1) receive();
      got.pop();
      expect(got.length).toBe(200);
      expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    } finally {
      a.close();
      b.close();
    }
  });

  test("cancelling a lookup whose nameserver never answers (timeout()) ends it at once", () => {
    const silent = UdpSocket.bind(0, "127.0.0.1"); // never answers
    try {
      const started = now();
      const error = caught(() =>
        timeout(100, () => resolve("silent.test", { nameservers: [`127.0.0.1:${silent.addr.port}`] }))
      );
      expect(error).toBeInstanceOf(TimeoutError);
      expect(now() - started).toBeLessThan(SOON + 100);
    } finally {
      silent.close();
    }
  });
});

describe("closing a socket from another fiber", () => {
  test("a fiber blocked reading a stream that another fiber closes gets EBADF, not a hang or Cancelled", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const reader = spawn(() => caught(() => client.read(new Uint8Array(16))));
    sleep(10);
    expect(reader.done).toBe(false);
    const started = now();
    client.close();
    const error = reader.join();
    expect(error).not.toBeInstanceOf(Cancelled);
    expect(error.code).toBe("EBADF");
    expect(error.syscall).toBe("read");
    expect(now() - started).toBeLessThan(SOON);
    // The peer sees the connection end.
    expect(server.read(new Uint8Array(4))).toBe(0);
    server.close();
  });

  test("a fiber blocked reading a split reader half gets EBADF when both halves are closed", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = client.split();
    const reader = spawn(() => caught(() => r.read(new Uint8Array(16))));
    sleep(10);
    w.close();
    r.close();
    const error = reader.join();
    expect(error.code).toBe("EBADF");
    server.close();
  });

  test("a fiber blocked writing to a stream that another fiber closes gets EBADF", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const writer = spawn(() => caught(() => client.write(new Uint8Array(64 * 1024 * 1024))));
    sleep(50);
    expect(writer.done).toBe(false);
    client.close();
    const error = writer.join();
    expect(error).not.toBeInstanceOf(Cancelled);
    expect(error.code).toBe("EBADF");
    server.close();
  });

  test("a fiber blocked in recvFrom on a UDP socket another fiber closes gets EBADF", () => {
    const socket = UdpSocket.bind(0, "127.0.0.1");
    const receiver = spawn(() => caught(() => socket.recvFrom(new Uint8Array(16))));
    sleep(10);
    socket.close();
    const error = receiver.join();
    expect(error.code).toBe("EBADF");
  });
});

// ---------------------------------------------------------------------------------------------

describe("UdpSocket", () => {
  test("bind on port 0 binds a free port and addr shows it", () => {
    const socket = UdpSocket.bind(0, "127.0.0.1");
    expect(socket.addr.hostname).toBe("127.0.0.1");
    expect(socket.addr.port).toBeGreaterThan(0);
    socket.close();
  });

  test("sendTo/recvFrom over IPv4: the datagram and its sender's address", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      const data = pattern(1000, 3);
      expect(a.sendTo(data, "127.0.0.1", b.addr.port)).toBe(1000);
      const buf = new Uint8Array(2048);
      const { bytes, from } = b.recvFrom(buf);
      expect(bytes).toBe(1000);
      expect(firstDifference(buf.subarray(0, bytes), data)).toBe(-1);
      expect(from).toEqual({ hostname: "127.0.0.1", port: a.addr.port });
      // And back, to the address it came from.
      expect(b.sendTo("reply", from.hostname, from.port)).toBe(5);
      const back = a.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, back.bytes))).toBe("reply");
      expect(back.from).toEqual({ hostname: "127.0.0.1", port: b.addr.port });
    } finally {
      a.close();
      b.close();
    }
  });

  test("sendTo/recvFrom over IPv6", () => {
    const a = UdpSocket.bind(0, "::1");
    const b = UdpSocket.bind(0, "::1");
    try {
      expect(a.addr.hostname).toBe("::1");
      expect(a.sendTo("over six", "::1", b.addr.port)).toBe(8);
      const buf = new Uint8Array(64);
      const { bytes, from } = b.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, bytes))).toBe("over six");
      expect(from).toEqual({ hostname: "::1", port: a.addr.port });
    } finally {
      a.close();
      b.close();
    }
  });

  test("a socket on \"::\" exchanges datagrams with an IPv4 socket (IPv4-mapped sender)", () => {
    const a = UdpSocket.bind(0, "::");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      expect(a.sendTo("to four", "127.0.0.1", b.addr.port)).toBe(7);
      const buf = new Uint8Array(16);
      const got = b.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, got.bytes))).toBe("to four");
      expect(got.from).toEqual({ hostname: "127.0.0.1", port: a.addr.port });
      b.sendTo("to six", "127.0.0.1", a.addr.port);
      const back = a.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, back.bytes))).toBe("to six");
      expect(back.from).toEqual({ hostname: "::ffff:127.0.0.1", port: b.addr.port });
    } finally {
      a.close();
      b.close();
    }
  });

  test("a datagram longer than the buffer is cut to the buffer's length, and the rest is dropped", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      a.sendTo("0123456789abcdef", "127.0.0.1", b.addr.port);
      a.sendTo("next", "127.0.0.1", b.addr.port);
      const small = new Uint8Array(10);
      const first = b.recvFrom(small);
      expect(first.bytes).toBe(10);
      expect(decoder.decode(small)).toBe("0123456789");
      // The next receive is the next datagram, not the rest of the first.
      const buf = new Uint8Array(64);
      const second = b.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, second.bytes))).toBe("next");
    } finally {
      a.close();
      b.close();
    }
  });

  test("sendTo of a string sends its UTF-8 and returns the byte count", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      const text = "grüße €";
      const length = encoder.encode(text).length;
      expect(a.sendTo(text, "127.0.0.1", b.addr.port)).toBe(length);
      const buf = new Uint8Array(64);
      const { bytes } = b.recvFrom(buf);
      expect(bytes).toBe(length);
      expect(decoder.decode(buf.subarray(0, bytes))).toBe(text);
    } finally {
      a.close();
      b.close();
    }
  });

  test("an empty datagram arrives as 0 bytes", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      expect(a.sendTo(new Uint8Array(0), "127.0.0.1", b.addr.port)).toBe(0);
      const { bytes, from } = b.recvFrom(new Uint8Array(8));
      expect(bytes).toBe(0);
      expect(from.port).toBe(a.addr.port);
    } finally {
      a.close();
      b.close();
    }
  });

  test("sendTo a hostname: \"localhost\" reaches a socket on 127.0.0.1", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    const b = UdpSocket.bind(0, "127.0.0.1");
    try {
      a.sendTo("by name", "localhost", b.addr.port);
      const buf = new Uint8Array(16);
      const { bytes } = b.recvFrom(buf);
      expect(decoder.decode(buf.subarray(0, bytes))).toBe("by name");
    } finally {
      a.close();
      b.close();
    }
  });

  test("many datagrams from many fibers all arrive (loopback does not drop a few)", () => {
    const receiver = UdpSocket.bind(0, "127.0.0.1");
    const senders = [0, 1, 2, 3].map(() => UdpSocket.bind(0, "127.0.0.1"));
    try {
      const got = new Set<string>();
      const collector = spawn(() => {
        const buf = new Uint8Array(64);
        while (got.size < 200) {
          const { bytes } = receiver.recvFrom(buf);
          got.add(decoder.decode(buf.subarray(0, bytes)));
        }
      });
      const fibers = senders.map((s, k) =>
        spawn(() => {
          for (let i = 0; i < 50; i++) s.sendTo(`${k}:${i}`, "127.0.0.1", receiver.addr.port);
        })
      );
      for (const f of fibers) f.join();
      collector.join();
      expect(got.size).toBe(200);
      expect(got.has("3:49")).toBe(true);
    } finally {
      receiver.close();
      for (const s of senders) s.close();
    }
  });

  test("an IPv4 socket refuses to send to an IPv6-only address with EAFNOSUPPORT", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    try {
      const error = caught(() => a.sendTo("x", "::1", 9));
      expect(error.code).toBe("EAFNOSUPPORT");
      expect(error.syscall).toBe("sendto");
    } finally {
      a.close();
    }
  });

  test("binding a UDP port in use throws EADDRINUSE", () => {
    const a = UdpSocket.bind(0, "127.0.0.1");
    try {
      const error = caught(() => UdpSocket.bind(a.addr.port, "127.0.0.1"));
      expect(error.code).toBe("EADDRINUSE");
      expect(error.message).toContain(`127.0.0.1:${a.addr.port}`);
    } finally {
      a.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** A Unix socket path that no one has used (there is no fs module to remove it afterwards). */
function socketPath(): string {
  return `/tmp/uringy-test-${crypto.randomUUID()}.sock`;
}

describe("Unix sockets", () => {
  test("UnixListener.bind, connect and accept: bytes go both ways", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    try {
      expect(listener.path).toBe(path);
      const client = UnixStream.connect(path);
      const server = listener.accept();
      expect(server instanceof UnixStream).toBe(true);
      expect(client.write("to server")).toBe(9);
      expect(readText(server, 9)).toBe("to server");
      server.write("to client");
      expect(readText(client, 9)).toBe("to client");
      client.close();
      expect(server.read(new Uint8Array(4))).toBe(0);
      server.close();
    } finally {
      listener.close();
    }
  });

  test("a Unix echo server (split + copy) echoes 256 KiB per client for several clients", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    const server = spawn(() => {
      for (const stream of listener.incoming()) {
        spawn(() => {
          const [r, w] = stream.split();
          copy(r, w);
          w.close();
          r.close();
        });
      }
    });
    const clients = [1, 2, 3].map((k) =>
      spawn(() => {
        const s = UnixStream.connect(path);
        const [r, w] = s.split();
        const data = pattern(256 * 1024, k * 1000);
        const writer = spawn(() => {
          w.write(data);
          w.close();
        });
        const echoed = readToEnd(r);
        writer.join();
        r.close();
        return firstDifference(echoed, data);
      })
    );
    for (const c of clients) expect(c.join()).toBe(-1);
    listener.close();
    server.join(); // incoming() ended, and every handler finished
  });

  test("binding a path that exists throws EADDRINUSE naming the path", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    try {
      const error = caught(() => UnixListener.bind(path));
      expect(error.code).toBe("EADDRINUSE");
      expect(error.syscall).toBe("bind");
      expect(error.message).toContain(path);
    } finally {
      listener.close();
    }
    // Closing leaves the file, so the path stays taken.
    expect(caught(() => UnixListener.bind(path)).code).toBe("EADDRINUSE");
  });

  test("connect to a missing path throws ENOENT with syscall connect", () => {
    const path = socketPath();
    const error = caught(() => UnixStream.connect(path));
    expect(error.code).toBe("ENOENT");
    expect(error.syscall).toBe("connect");
    expect(error.message).toContain(path);
  });

  test("connect to a socket file whose listener closed is refused", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    listener.close();
    expect(caught(() => UnixStream.connect(path)).code).toBe("ECONNREFUSED");
  });

  test("incoming() on a Unix listener ends when another fiber closes it", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    let count = 0;
    const loop = spawn(() => {
      for (const s of listener.incoming()) {
        count++;
        s.close();
      }
      return count;
    });
    const c = UnixStream.connect(path);
    waitUntil(() => count === 1, 2000, "the connection");
    listener.close();
    expect(loop.join()).toBe(1);
    c.close();
  });

  test("UnixStream shutdown(): the peer reads end of stream and answers", () => {
    const path = socketPath();
    const listener = UnixListener.bind(path);
    try {
      const client = UnixStream.connect(path);
      const server = listener.accept();
      client.write("question");
      client.shutdown();
      expect(decoder.decode(readToEnd(server))).toBe("question");
      server.write("answer");
      server.close();
      expect(decoder.decode(readToEnd(client))).toBe("answer");
      client.close();
    } finally {
      listener.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** A fake DNS server on `host` (127.0.0.1), port 0, answering with `answer(name, type)`: a list of IPv4
 *  addresses (A) or [] (no records), "NXDOMAIN", or "silent" (no reply). */
function startFakeDns(
  answer: (name: string, type: number) => string[] | "NXDOMAIN" | "silent",
  delayMs = 0,
  host = "127.0.0.1",
): { port: number; queries: { name: string; type: number }[]; stop(): void } {
  const socket = UdpSocket.bind(0, host);
  const queries: { name: string; type: number }[] = [];
  const server = spawn(() => {
    const buf = new Uint8Array(512);
    for (;;) {
      let got;
      try {
        got = socket.recvFrom(buf);
      } catch (error) {
        if ((error as { code?: string }).code === "EBADF") return; // stopped
        throw error;
      }
      const query = buf.slice(0, got.bytes);
      // The question: labels from byte 12, then type and class.
      let at = 12;
      const labels: string[] = [];
      while (query[at] !== 0) {
        labels.push(decoder.decode(query.subarray(at + 1, at + 1 + query[at])));
        at += 1 + query[at];
      }
      at++;
      const type = (query[at] << 8) | query[at + 1];
      const questionEnd = at + 4;
      const name = labels.join(".");
      queries.push({ name, type });
      const reply = answer(name, type);
      if (reply === "silent") continue;
      if (delayMs > 0) sleep(delayMs);
      const addresses = reply === "NXDOMAIN" ? [] : reply;
      const bytes: number[] = [
        query[0], query[1], // the query's id
        0x81, reply === "NXDOMAIN" ? 0x83 : 0x80, // response, RD, RA; rcode
        0, 1, // one question
        0, addresses.length, // answers
        0, 0, 0, 0,
        ...query.subarray(12, questionEnd),
      ];
      for (const address of addresses) {
        // Owner: a pointer to the question's name; type A, class IN, TTL 3600, 4 bytes.
        bytes.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...address.split(".").map(Number));
      }
      socket.sendTo(new Uint8Array(bytes), got.from.hostname, got.from.port);
    }
  });
  return {
    port: socket.addr.port,
    queries,
    stop() {
      socket.close();
      server.join();
    },
  };
}

describe("resolve()", () => {
  test("a numeric IPv4 or IPv6 address is returned as it is", () => {
    expect(resolve("192.0.2.1")).toEqual(["192.0.2.1"]);
    expect(resolve("127.0.0.1")).toEqual(["127.0.0.1"]);
    expect(resolve("::1")).toEqual(["::1"]);
    expect(resolve("2001:db8::7")).toEqual(["2001:db8::7"]);
  });

  test("\"localhost\" gives 127.0.0.1 first", () => {
    const addresses = resolve("localhost");
    expect(addresses[0]).toBe("127.0.0.1");
    for (const a of addresses) expect(["127.0.0.1", "::1"]).toContain(a);
  });

  test("a name is asked of the nameserver given: A answered, AAAA empty; other fibers keep running meanwhile", () => {
    const dns = startFakeDns((name, type) => (name === "example.test" && type === 1 ? ["192.0.2.7"] : []), 30);
    let ticks = 0;
    let resolving = true;
    const ticker = spawn(() => {
      while (resolving) {
        sleep(1);
        ticks++;
      }
    });
    try {
      const started = now();
      const addresses = resolve("example.test", { nameservers: [`127.0.0.1:${dns.port}`] });
      const elapsed = now() - started;
      resolving = false;
      expect(addresses).toEqual(["192.0.2.7"]);
      // Both queries were asked, and answered after 30 ms each: the ticker ran all the while.
      expect(dns.queries).toEqual([{ name: "example.test", type: 1 }, { name: "example.test", type: 28 }]);
      expect(elapsed).toBeGreaterThanOrEqual(55);
      expect(ticks).toBeGreaterThan(10);
    } finally {
      resolving = false;
      ticker.join();
      dns.stop();
    }
  });

  test("several IPv4 addresses come back in the server's order", () => {
    const dns = startFakeDns((_, type) => (type === 1 ? ["192.0.2.10", "192.0.2.11", "192.0.2.12"] : []));
    try {
      expect(resolve("many.test", { nameservers: [`127.0.0.1:${dns.port}`] }))
        .toEqual(["192.0.2.10", "192.0.2.11", "192.0.2.12"]);
    } finally {
      dns.stop();
    }
  });

  test("an address resolved through DNS can be connected to", () => {
    // connect() has no nameserver option: resolve, then connect to what came back.
    const dns = startFakeDns((_, type) => (type === 1 ? ["127.0.0.1"] : []));
    const listener = TcpListener.bind(0, "127.0.0.1");
    try {
      const [ip] = resolve("server.test", { nameservers: [`127.0.0.1:${dns.port}`] });
      const client = TcpStream.connect(ip, listener.addr.port);
      const server = listener.accept();
      echoPair(client, server);
    } finally {
      listener.close();
      dns.stop();
    }
  });

  test("a nameserver on IPv6 loopback, given as \"[::1]:port\"", () => {
    const dns = startFakeDns((_, type) => (type === 1 ? ["192.0.2.8"] : []), 0, "::1");
    try {
      expect(resolve("six.test", { nameservers: [`[::1]:${dns.port}`] })).toEqual(["192.0.2.8"]);
    } finally {
      dns.stop();
    }
  });

  test("an NXDOMAIN answer throws ENOTFOUND naming the host", () => {
    const dns = startFakeDns(() => "NXDOMAIN");
    try {
      const error = caught(() => resolve("missing.test", { nameservers: [`127.0.0.1:${dns.port}`] }));
      expect(error.code).toBe("ENOTFOUND");
      expect(error.hostname).toBe("missing.test");
      expect(error.message).toContain("missing.test");
      // NXDOMAIN for A settles it: AAAA is not asked.
      expect(dns.queries.length).toBe(1);
    } finally {
      dns.stop();
    }
  });

  test("a name with no addresses at all throws ENOTFOUND", () => {
    const dns = startFakeDns(() => []);
    try {
      expect(caught(() => resolve("empty.test", { nameservers: [`127.0.0.1:${dns.port}`] })).code).toBe("ENOTFOUND");
    } finally {
      dns.stop();
    }
  });

  test("a nameserver that never answers: ETIMEOUT after timeoutMs × attempts", () => {
    const dns = startFakeDns(() => "silent");
    try {
      const start = performance.now();
      const error = caught(() => resolve("slow.test", { nameservers: [`127.0.0.1:${dns.port}`], timeoutMs: 50, attempts: 2 }));
      expect(error.code).toBe("ETIMEOUT");
      expect(performance.now() - start).toBeGreaterThanOrEqual(95);
    } finally {
      dns.stop();
    }
  });

  test("\"*.invalid\" names are not found without asking anyone", () => {
    expect(caught(() => resolve("nothing.invalid", { nameservers: [] })).code).toBe("ENOTFOUND");
  });
});

// ---------------------------------------------------------------------------------------------

describe("API.md's echo server example", () => {
  test("handleConnection as written (split + copy, no close) echoes and releases the socket when it returns", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const handleConnection = (stream: TcpStream): void => {
      const [r, w] = stream.split();
      copy(r, w);
    };
    const server = spawn(() => {
      for (const stream of listener.incoming()) spawn(() => handleConnection(stream));
    });
    try {
      const client = TcpStream.connect("127.0.0.1", listener.addr.port);
      echoes(client, "hello, echo");
      client.shutdown();
      // copy() returns at our end of stream; the halves are then unreferenced, so the socket
      // closes and we read end of stream.
      const reader = spawn(() => readToEnd(client));
      const deadline = spawn(() => {
        sleep(2000);
        client.close(); // unblocks a reader that would wait forever
      });
      const rest = reader.join();
      deadline.cancel();
      expect(rest.length).toBe(0);
      client.close();
    } finally {
      listener.close();
      server.join();
    }
  });

  test("cancelling the server fiber (API.md's shutdown) ends every connection and frees the listener", () => {
    let port = 0;
    const echoServer = (): void => {
      const listener = TcpListener.bind(0, "127.0.0.1");
      port = listener.addr.port;
      for (const stream of listener.incoming()) {
        spawn(() => {
          const [r, w] = stream.split();
          copy(r, w);
        });
      }
    };
    const server = spawn(echoServer);
    waitUntil(() => port !== 0, 1000, "the server to listen");
    const clients = [0, 1, 2].map(() => TcpStream.connect("127.0.0.1", port));
    for (const [i, c] of clients.entries()) echoes(c, `client ${i}`);
    const started = now();
    server.cancel(); // reaches every fiber below the server
    expect(caught(() => server.join())).toBeInstanceOf(Cancelled);
    expect(now() - started).toBeLessThan(SOON);
    // Every handler ended, its halves unreferenced: each client reads end of stream.
    for (const c of clients) {
      const reader = spawn(() => c.read(new Uint8Array(8)));
      const guard = spawn(() => {
        sleep(2000);
        c.close(); // a socket that was not released would leave the reader waiting
      });
      expect(reader.join()).toBe(0);
      guard.cancel();
      c.close();
    }
    // And the listener, no longer referenced, was closed.
    expect(caught(() => TcpStream.connect("127.0.0.1", port)).code).toBe("ECONNREFUSED");
  });
});

describe("many connections", () => {
  test("2,000 concurrent clients each get 3 messages echoed correctly by one echo server", () => {
    const CLIENTS = 2000;
    const echo = startEchoServer({ backlog: 4096 });
    try {
      let ok = 0;
      const failures: unknown[] = [];
      const fibers: Fiber[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        fibers.push(spawn(() => {
          try {
            const s = TcpStream.connect("127.0.0.1", echo.port);
            for (let m = 0; m < 3; m++) {
              const message = `client ${i} message ${m} `.padEnd(100, String.fromCharCode(97 + ((i + m) % 26)));
              s.write(message);
              const back = readText(s, 100);
              if (back !== message) throw new Error(`client ${i} got ${JSON.stringify(back)}`);
            }
            s.close();
            ok++;
          } catch (error) {
            failures.push(error);
          }
        }));
      }
      for (const f of fibers) f.join();
      expect(failures.slice(0, 3)).toEqual([]);
      expect(ok).toBe(CLIENTS);
      expect(echo.accepted()).toBe(CLIENTS);
      expect(echo.errors).toEqual([]);
    } finally {
      echo.stop();
    }
  }, { timeout: 15000 });
});
