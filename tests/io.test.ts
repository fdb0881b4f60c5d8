// `uringy:io`: copy(), readAll() and the standard streams, over real loopback sockets and
// plain JS readers and writers. (Reading stdin needs a child process: runtime/tests covers it.)

import { test, expect, describe } from "uringy:test";
import { spawn, sleep, Cancelled } from "uringy:fiber";
import { TcpListener, TcpStream } from "uringy:net";
import { copy, readAll, stdin, stdout, stderr, type Reader, type Writer } from "uringy:io";
import { thrown as caught, pair, pattern, firstDifference } from "./helpers.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SOON = 500;

/** A JS Reader that hands out `data` in reads of at most `step` bytes (and of the buffer's
 *  length), counting its calls. */
function chunkedReader(data: Uint8Array, step: number): Reader & { reads: number } {
  let at = 0;
  return {
    reads: 0,
    read(buf: Uint8Array): number {
      this.reads++;
      const n = Math.min(step, buf.length, data.length - at);
      buf.set(data.subarray(at, at + n));
      at += n;
      return n;
    },
  };
}

/** A JS Writer that keeps what it is given (copies: the caller may reuse its buffer). */
function collectingWriter(): Writer & { chunks: Uint8Array[]; bytes(): Uint8Array } {
  return {
    chunks: [],
    write(data: Uint8Array): number {
      this.chunks.push(data.slice());
      return data.length;
    },
    bytes(): Uint8Array {
      const all = new Uint8Array(this.chunks.reduce((sum, c) => sum + c.length, 0));
      let at = 0;
      for (const c of this.chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe("copy()", () => {
  test("between two native sockets: copies until end of stream and returns the byte count", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [srcClient, srcServer] = pair(listener);
    const [dstClient, dstServer] = pair(listener);
    listener.close();
    const data = pattern(1024 * 1024 + 17);
    const writer = spawn(() => {
      srcClient.write(data);
      srcClient.close(); // end of stream for copy()
    });
    const reader = spawn(() => readAll(dstServer));
    const copied = copy(srcServer, dstClient);
    expect(copied).toBe(data.length);
    writer.join();
    dstClient.close(); // end of stream for the reader
    const received = reader.join();
    expect(received.length).toBe(data.length);
    expect(firstDifference(received, data)).toBe(-1);
    srcServer.close();
    dstServer.close();
  });

  test("between split halves of two sockets (API.md's echo: copy(r, w) on one socket)", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const [r, w] = server.split();
    const echo = spawn(() => {
      const n = copy(r, w);
      w.close();
      r.close();
      return n;
    });
    const [cr, cw] = client.split();
    const data = pattern(300 * 1024, 99);
    const writer = spawn(() => {
      cw.write(data);
      cw.close();
    });
    const echoed = readAll(cr);
    writer.join();
    expect(echo.join()).toBe(data.length);
    expect(firstDifference(echoed, data)).toBe(-1);
    cr.close();
  });

  test("of a stream that ends at once copies 0 bytes", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener);
    const [c, d] = pair(listener);
    listener.close();
    a.close();
    expect(copy(b, c)).toBe(0);
    c.close();
    expect(readAll(d).length).toBe(0);
    b.close();
    d.close();
  });

  test("with a JS Reader and a JS Writer: every byte, in order, and the count", () => {
    const data = pattern(200 * 1024 + 3, 5);
    const reader = chunkedReader(data, 7000);
    const writer = collectingWriter();
    expect(copy(reader, writer)).toBe(data.length);
    expect(firstDifference(writer.bytes(), data)).toBe(-1);
    // No write of zero bytes: end of stream ended the copy.
    for (const chunk of writer.chunks) expect(chunk.length).toBeGreaterThan(0);
    expect(reader.reads).toBe(Math.ceil(data.length / 7000) + 1);
  });

  test("with a JS Reader into a native socket", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const data = pattern(500 * 1024, 11);
    const received = spawn(() => readAll(server));
    expect(copy(chunkedReader(data, 10000), client)).toBe(data.length);
    client.close();
    expect(firstDifference(received.join(), data)).toBe(-1);
    server.close();
  });

  test("from a native socket into a JS Writer", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const data = pattern(500 * 1024, 12);
    const writer = spawn(() => {
      client.write(data);
      client.close();
    });
    const sink = collectingWriter();
    expect(copy(server, sink)).toBe(data.length);
    writer.join();
    expect(firstDifference(sink.bytes(), data)).toBe(-1);
    server.close();
  });

  test("an error thrown by the JS Reader or Writer comes out of copy()", () => {
    const failing: Reader = {
      read() {
        throw new Error("reader broke");
      },
    };
    expect(() => copy(failing, collectingWriter())).toThrow("reader broke");
    const broken: Writer = {
      write() {
        throw new Error("writer broke");
      },
    };
    expect(() => copy(chunkedReader(pattern(10), 10), broken)).toThrow("writer broke");
  });

  test("a JS reader that waits (sleeps) between chunks is copied in full", () => {
    const data = pattern(50 * 1000, 1);
    let at = 0;
    const slow: Reader = {
      read(buf) {
        sleep(1);
        const n = Math.min(10000, buf.length, data.length - at);
        buf.set(data.subarray(at, at + n));
        at += n;
        return n;
      },
    };
    const sink = collectingWriter();
    expect(copy(slow, sink)).toBe(data.length);
    expect(firstDifference(sink.bytes(), data)).toBe(-1);
  });

  test("cancelling a fiber blocked in copy() between sockets: join throws Cancelled at once", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener);
    const [c, d] = pair(listener);
    listener.close();
    const copier = spawn(() => copy(b, c));
    a.write("first");
    const buf = new Uint8Array(5);
    let got = 0;
    while (got < 5) got += d.read(buf.subarray(got));
    expect(decoder.decode(buf)).toBe("first");
    const started = performance.now();
    copier.cancel();
    expect(caught(() => copier.join())).toBeInstanceOf(Cancelled);
    expect(performance.now() - started).toBeLessThan(SOON);
    // Both sockets still work.
    a.write("after");
    got = 0;
    while (got < 5) got += b.read(buf.subarray(got));
    expect(decoder.decode(buf)).toBe("after");
    for (const s of [a, b, c, d]) s.close();
  });

  test("cancelling copy() blocked on a full destination loses no byte: the rest is still read from the source", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener); // a writes into b, the source
    const [c, d] = pair(listener); // copy writes into c; d reads only later
    listener.close();
    const data = pattern(6 * 1024 * 1024, 3);
    const feeder = spawn(() => {
      a.write(data);
      a.close();
    });
    const copier = spawn(() => copy(b, c));
    sleep(50); // the destination fills up; copy() waits to write
    expect(copier.done).toBe(false);
    copier.cancel();
    expect(caught(() => copier.join())).toBeInstanceOf(Cancelled);
    c.close();
    // What reached the destination, then what is left at the source: together, the data.
    const delivered = readAll(d);
    const rest = readAll(b); // the feeder finishes as this drains
    feeder.join();
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length + rest.length).toBe(data.length);
    expect(firstDifference(delivered, data.subarray(0, delivered.length))).toBe(-1);
    expect(firstDifference(rest, data.subarray(delivered.length))).toBe(-1);
    b.close();
    d.close();
  });

  test("closing the source from another fiber ends a copy() with EBADF", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener);
    const [c, d] = pair(listener);
    listener.close();
    const copier = spawn(() => caught(() => copy(b, c)));
    sleep(10);
    expect(copier.done).toBe(false);
    b.close();
    const error = copier.join();
    expect(error).not.toBeInstanceOf(Cancelled);
    expect(error.code).toBe("EBADF");
    for (const s of [a, c, d]) s.close();
  });

  test("copy() into a peer that resets ends, returning the bytes copied, instead of failing the fiber", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [src, srcPeer] = pair(listener);
    const [dst, dstPeer] = pair(listener);
    listener.close();
    const copier = spawn(() => copy(srcPeer, dst));
    const feeder = spawn(() => {
      try {
        for (let i = 0; i < 400; i++) src.write(pattern(64 * 1024, i));
      } catch {
        // copy() stopped reading: the feeder's socket is closed below
      }
    });
    // The destination's peer reads a little and then is gone.
    const buf = new Uint8Array(1024);
    let got = 0;
    while (got < 1024) got += dstPeer.read(buf.subarray(got));
    dstPeer.close();
    const copied = copier.join();
    expect(typeof copied).toBe("number");
    expect(copied).toBeGreaterThanOrEqual(1024);
    expect(copied).toBeLessThan(400 * 64 * 1024);
    // write() itself still reports the peer's departure.
    expect(["ECONNRESET", "EPIPE"]).toContain(caught(() => { for (;;) dst.write(pattern(64 * 1024, 0)); }).code);
    src.close();
    srcPeer.close();
    dst.close();
    feeder.join();
  });

  test("copy() between JS streams ends when the writer reports the peer gone (EPIPE); other errors still throw", () => {
    let reads = 0;
    const reader = { read(buf: Uint8Array) { buf[0] = 1; return ++reads < 100 ? 1 : 0; } };
    const gone = { write() { throw Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" }); } };
    expect(copy(reader, gone)).toBe(0);
    const broken = { write() { throw Object.assign(new Error("EIO: input/output error, write"), { code: "EIO" }); } };
    expect(caught(() => copy(reader, broken)).code).toBe("EIO");
  });
});

// ---------------------------------------------------------------------------------------------

describe("readAll()", () => {
  test("on a socket: everything until end of stream (more than one 64 KiB chunk)", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const data = pattern(200 * 1024 + 1, 77);
    const writer = spawn(() => {
      for (let at = 0; at < data.length; at += 30000) {
        client.write(data.subarray(at, at + 30000));
        sleep(0);
      }
      client.close();
    });
    const all = readAll(server);
    writer.join();
    expect(all).toBeInstanceOf(Uint8Array);
    expect(all.length).toBe(data.length);
    expect(firstDifference(all, data)).toBe(-1);
    server.close();
  });

  test("on a socket whose peer closes at once: an empty array", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.close();
    const all = readAll(server);
    expect(all).toBeInstanceOf(Uint8Array);
    expect(all.length).toBe(0);
    server.close();
  });

  test("on a socket: a string written in pieces decodes whole", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    const text = "zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich ✓";
    const bytes = encoder.encode(text);
    client.write(bytes.subarray(0, 5)); // cuts a multi-byte character nowhere in particular
    client.write(bytes.subarray(5));
    client.close();
    expect(decoder.decode(readAll(server))).toBe(text);
    server.close();
  });

  test("on a JS reader: all its chunks, however small, and it grows past 64 KiB", () => {
    const data = pattern(150 * 1000, 42);
    const reader = chunkedReader(data, 999);
    const all = readAll(reader);
    expect(all.length).toBe(data.length);
    expect(firstDifference(all, data)).toBe(-1);
  });

  test("on a JS reader that ends at once: an empty array", () => {
    const all = readAll({ read: () => 0 });
    expect(all).toBeInstanceOf(Uint8Array);
    expect(all.length).toBe(0);
  });

  test("the result is a copy with its own buffer, exactly as long as the data", () => {
    const all = readAll(chunkedReader(encoder.encode("abc"), 10));
    expect(decoder.decode(all)).toBe("abc");
    expect(all.byteLength).toBe(3);
    expect(all.buffer.byteLength).toBe(3);
  });

  test("an error from the reader comes out of readAll()", () => {
    let calls = 0;
    const flaky: Reader = {
      read(buf) {
        if (++calls === 3) throw new Error("read failed");
        buf[0] = 1;
        return 1;
      },
    };
    expect(() => readAll(flaky)).toThrow("read failed");
  });

  test("a read on a reset socket throws ECONNRESET out of readAll()", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [client, server] = pair(listener);
    listener.close();
    client.write("never read");
    sleep(5);
    server.close(); // unread data: RST
    const error = caught(() => readAll(client));
    expect(error.code).toBe("ECONNRESET");
    client.close();
  });
});

// ---------------------------------------------------------------------------------------------

describe("standard streams", () => {
  test("stdout and stderr are Writers; writing nothing returns 0", () => {
    expect(typeof stdout.write).toBe("function");
    expect(typeof stderr.write).toBe("function");
    expect(stdout.write(new Uint8Array(0))).toBe(0);
    expect(stderr.write(new Uint8Array(0))).toBe(0);
  });

  test("stdin is a Reader with close()", () => {
    expect(typeof stdin.read).toBe("function");
    expect(typeof stdin.close).toBe("function");
  });
});

// ---------------------------------------------------------------------------------------------

describe("review regressions", () => {
  test("copy() in a fiber cancelled before it ran throws Cancelled (the process goes on)", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener);
    listener.close();
    const [r, w] = b.split();
    const fiber = spawn(() => copy(r, w));
    fiber.cancel();
    expect(caught(() => fiber.join())).toBeInstanceOf(Cancelled);
    a.close();
    r.close();
    w.close();
  });

  test("closing the reader half ends a read waiting on it (end of stream), while the writer half still writes", () => {
    const listener = TcpListener.bind(0, "127.0.0.1");
    const [a, b] = pair(listener);
    listener.close();
    const [r, w] = b.split();
    const reader = spawn(() => r.read(new Uint8Array(16)));
    sleep(10);
    expect(reader.done).toBe(false);
    r.close();
    expect(reader.join()).toBe(0);
    w.write("still writing");
    const buf = new Uint8Array(64);
    expect(new TextDecoder().decode(buf.subarray(0, a.read(buf)))).toBe("still writing");
    w.close();
    a.close();
  });
});
