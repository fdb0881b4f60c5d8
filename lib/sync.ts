// `uringy:sync` — channels, mutexes and semaphores between the fibers of one thread.
//
// Built on the scheduler's park/unpark: a waiter takes a token, queues it, and parks; whoever
// serves it unparks that token with what it waited for (a value, a handed-over lock or permit),
// so nothing is lost between the two. A waiter cancelled while queued removes itself and throws
// `Cancelled`; one already served keeps what it was given (the scheduler delivers it first).

import ops from "uringy:ops";
import { Cancelled } from "./fiber.ts";
import { cancelMark } from "./internal/cancel_mark.ts";

const { op_fiber_park_token, op_fiber_park, op_fiber_unpark } = ops;

/** Wakes the first waiter of `queue` still waiting, giving it `value`, and returns it (one
 *  cancelled but not yet run is dropped from the queue). */
function serve<W extends { token: number }>(queue: W[], value: unknown): W | undefined {
  for (let waiter = queue.shift(); waiter !== undefined; waiter = queue.shift()) {
    if (op_fiber_unpark(waiter.token, value)) return waiter;
  }
  return undefined;
}

/** Parks the calling fiber as `waiter` in `queue` until served; returns what it was given. */
function park<W extends { token: number }>(queue: W[], waiter: W): unknown {
  queue.push(waiter);
  const value = op_fiber_park(waiter.token);
  if (value === cancelMark) {
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    throw new Cancelled();
  }
  return value;
}

/** Thrown by `recv()` on a closed, drained channel and by `send()` on a closed one. */
export class ChannelClosed extends Error {
  constructor(message = "the channel is closed") {
    super(message);
    this.name = "ChannelClosed";
  }
}

const CLOSED = Symbol("closed");

interface Receiver { token: number }
interface Sender<T> { token: number; value: T }

/** A queue between fibers: `send` waits while it is full (with capacity 0, until a receiver
 *  takes the value), `recv` waits while it is empty. */
export class Channel<T> implements Iterable<T> {
  #capacity: number;
  #buffer: T[] = [];
  #receivers: Receiver[] = [];
  #senders: Sender<T>[] = [];
  #closed = false;

  constructor(capacity = 0) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Channel capacity must be an integer ≥ 0, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Values waiting in the buffer. */
  get size(): number {
    return this.#buffer.length;
  }

  send(value: T): void {
    if (this.#closed) throw new ChannelClosed("send() on a closed channel");
    if (serve(this.#receivers, { value }) !== undefined) return;
    if (this.#buffer.length < this.#capacity) {
      this.#buffer.push(value);
      return;
    }
    if (park(this.#senders, { token: op_fiber_park_token(), value }) === CLOSED) {
      throw new ChannelClosed("the channel was closed before the value was received");
    }
  }

  recv(): T {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      // A waiting sender's value takes the freed place.
      const sender = serve(this.#senders, true);
      if (sender !== undefined) this.#buffer.push(sender.value);
      return value;
    }
    const sender = serve(this.#senders, true);
    if (sender !== undefined) return sender.value;
    if (this.#closed) throw new ChannelClosed();
    const got = park(this.#receivers, { token: op_fiber_park_token() }) as { value: T } | typeof CLOSED;
    if (got === CLOSED) throw new ChannelClosed();
    return got.value;
  }

  /** No more sends; receivers drain what is buffered, then get `ChannelClosed`. Waiting
   *  senders get `ChannelClosed`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#receivers.splice(0)) op_fiber_unpark(waiter.token, CLOSED);
    for (const waiter of this.#senders.splice(0)) op_fiber_unpark(waiter.token, CLOSED);
  }

  /** Receives until the channel is closed and drained. */
  *[Symbol.iterator](): Iterator<T> {
    while (true) {
      let value: T;
      try {
        value = this.recv();
      } catch (error) {
        if (error instanceof ChannelClosed) return;
        throw error;
      }
      yield value;
    }
  }
}

/** Mutual exclusion between fibers; the lock passes straight to the longest waiter. */
export class Mutex {
  #locked = false;
  #waiters: { token: number }[] = [];

  get locked(): boolean {
    return this.#locked;
  }

  lock(): void {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    park(this.#waiters, { token: op_fiber_park_token() });
  }

  unlock(): void {
    if (!this.#locked) throw new Error("unlock() of a Mutex that is not locked");
    // The lock stays locked, passing to the next waiter, if any.
    if (serve(this.#waiters, true) === undefined) this.#locked = false;
  }

  /** Runs `body` holding the lock, released however `body` ends. */
  with<T>(body: () => T): T {
    this.lock();
    try {
      return body();
    } finally {
      this.unlock();
    }
  }
}

/** At most `permits` fibers at a time; a released permit passes straight to a waiter. */
export class Semaphore {
  #permits: number;
  #waiters: { token: number }[] = [];

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 0) {
      throw new RangeError(`Semaphore permits must be an integer ≥ 0, got ${permits}`);
    }
    this.#permits = permits;
  }

  /** Permits free now. */
  get available(): number {
    return this.#permits;
  }

  acquire(): void {
    if (this.#permits > 0) {
      this.#permits--;
      return;
    }
    park(this.#waiters, { token: op_fiber_park_token() });
  }

  release(): void {
    if (serve(this.#waiters, true) === undefined) this.#permits++;
  }

  with<T>(body: () => T): T {
    this.acquire();
    try {
      return body();
    } finally {
      this.release();
    }
  }
}
