// What sockets, files and the standard streams share: a native descriptor (an engine object
// that closes itself when freed), read and write through the ring, and `split` halves.

import ops from "uringy:ops";

/** The native descriptor of a stream; `copy` moves bytes between two of them without JS. */
export const descriptor: unique symbol = Symbol("uringy.descriptor");
/** Lets a class's constructor refuse calls from user code. */
export const internal: unique symbol = Symbol("uringy.internal");

const encoder = new TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/** A connected stream socket (TCP or Unix). */
export class SocketStream {
  /** Moved into the halves by `split()`. */
  [descriptor]: object | undefined;
  #moved: WeakRef<object> | undefined;

  constructor(token: symbol, handle: object) {
    if (token !== internal) {
      throw new TypeError(`${new.target.name} cannot be constructed directly; use connect() or a listener's accept()`);
    }
    this[descriptor] = handle;
  }

  /** Reads once into `buf`: the bytes read, 0 at end of stream. */
  read(buf: Uint8Array): number {
    return ops.op_io_read(this[descriptor], buf);
  }

  /** Writes all of `data`; its length in bytes. */
  write(data: Uint8Array | string): number {
    return ops.op_io_write(this[descriptor], typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Two halves usable from two fibers at once. The socket moves into them: the stream itself
   *  is used through them from now on, and the socket is closed once both are closed or no
   *  longer referenced — whatever still refers to the stream. */
  split(): [ReadHalf, WriteHalf] {
    const handle = this[descriptor];
    if (handle === undefined) throw new TypeError("split(): this stream was split already");
    this[descriptor] = undefined;
    this.#moved = new WeakRef(handle);
    const shared = { handle, open: 3 };
    return [new ReadHalf(shared), new WriteHalf(shared)];
  }

  /** The socket, also after `split()` moved it into the halves (while they hold it). */
  protected get socket(): object | undefined {
    return this[descriptor] ?? this.#moved?.deref();
  }

  /** Ends our sending side: the peer reads end of stream. */
  shutdown(): void {
    ops.op_net_shutdown(this.socket);
  }

  /** Closes the socket (after `split()`, both halves). */
  close(): void {
    const handle = this.socket;
    if (handle !== undefined) ops.op_io_close(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The socket shared by the two halves, and which of them are open: 1 reading, 2 writing. */
type Shared = { handle: object; open: number };

function closeHalf(shared: Shared, half: 1 | 2): void {
  if ((shared.open & half) === 0) return;
  shared.open &= ~half;
  if (shared.open === 0) {
    ops.op_io_close(shared.handle);
    return;
  }
  try {
    // Closing the reader ends our receiving side (a read waiting on it returns end of
    // stream); closing the writer ends our sending side (the peer reads end of stream).
    ops.op_net_shutdown(shared.handle, half === 1);
  } catch {
    // A socket closed already has no side left to end.
  }
}

export class ReadHalf {
  readonly [descriptor]: object;
  #shared: Shared;

  constructor(shared: Shared) {
    this.#shared = shared;
    this[descriptor] = shared.handle;
  }

  read(buf: Uint8Array): number {
    return ops.op_io_read(this[descriptor], buf);
  }

  close(): void {
    closeHalf(this.#shared, 1);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export class WriteHalf {
  readonly [descriptor]: object;
  #shared: Shared;

  constructor(shared: Shared) {
    this.#shared = shared;
    this[descriptor] = shared.handle;
  }

  write(data: Uint8Array | string): number {
    return ops.op_io_write(this[descriptor], typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Ends our sending side (the peer reads end of stream). */
  close(): void {
    closeHalf(this.#shared, 2);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
