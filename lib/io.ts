// `uringy:io` — readers, writers and the standard streams, all through the ring.

import ops from "uringy:ops";
import { descriptor, toBytes } from "./internal/stream.ts";

export interface Reader {
  /** Reads once into `buf`: the bytes read, 0 at end of stream. */
  read(buf: Uint8Array): number;
}

export interface Writer {
  /** Writes all of `data`; returns its length. */
  write(data: Uint8Array): number;
}

type Native = { [descriptor]?: object };

const CHUNK = 64 * 1024;

// Errors that mean the other end went away (runtime/src/ops/io/copy.rs has the same list).
const PEER_GONE = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT"]);

/** Copies until `from` reaches end of stream; the bytes copied. A peer that resets the
 *  connection or goes away (ECONNRESET, EPIPE, …) ends the stream too: for an echo server or a
 *  proxy that is how connections end, and it must not fail the fiber (and so, under structured
 *  concurrency, the server). `read` and `write` themselves throw these errors. Between two
 *  sockets, files or standard streams the bytes never pass through JS. */
export function copy(from: Reader, to: Writer): number {
  const source = (from as Native)[descriptor], sink = (to as Native)[descriptor];
  if (source !== undefined && sink !== undefined) return ops.op_io_copy(source, sink);
  if (typeof from?.read !== "function") throw new TypeError("copy: `from` must be a Reader (an object with a read method)");
  if (typeof to?.write !== "function") throw new TypeError("copy: `to` must be a Writer (an object with a write method)");
  const buf = new Uint8Array(CHUNK);
  let total = 0;
  for (;;) {
    try {
      const n = from.read(buf);
      if (n === 0) return total;
      to.write(buf.subarray(0, n));
      total += n;
    } catch (e) {
      if (PEER_GONE.has((e as { code?: string } | null)?.code ?? "")) return total;
      throw e;
    }
  }
}

/** Reads until end of stream; everything read. */
export function readAll(from: Reader): Uint8Array {
  let buf = new Uint8Array(CHUNK);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = from.read(buf.subarray(length));
    if (n === 0) return buf.slice(0, length);
    length += n;
  }
}

/** Standard stream 0, 1 or 2, read and written through the ring. Closing one ends its use
 *  from JS (a read waiting on stdin ends with EBADF); the process's descriptor stays open. */
class StandardStream {
  readonly [descriptor]: object;
  readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
    this[descriptor] = ops.op_io_std(fd);
  }

  read(buf: Uint8Array): number {
    return ops.op_io_read(this[descriptor], buf);
  }

  write(data: Uint8Array | string): number {
    return ops.op_io_write(this[descriptor], toBytes(data));
  }

  close(): void {
    ops.op_io_close(this[descriptor]);
  }
}

export const stdin: Reader & { close(): void } = new StandardStream(0);
export const stdout: Writer & { write(data: Uint8Array | string): number } = new StandardStream(1);
export const stderr: Writer & { write(data: Uint8Array | string): number } = new StandardStream(2);
