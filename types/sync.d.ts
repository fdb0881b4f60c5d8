/** `uringy:sync` — channels, mutexes and semaphores between the fibers of one thread. */
declare module "uringy:sync" {
  export class Channel<T> implements Iterable<T> {
    /** `capacity` 0 (default): each send waits for a receiver. */
    constructor(capacity?: number);
    readonly closed: boolean;
    /** Values waiting in the buffer. */
    readonly size: number;
    /** Waits while the channel is full; throws `ChannelClosed` if it is closed. */
    send(value: T): void;
    /** Waits while it is empty; throws `ChannelClosed` once it is closed and drained. */
    recv(): T;
    close(): void;
    /** Receives until the channel is closed and drained. */
    [Symbol.iterator](): Iterator<T>;
  }
  /** Thrown by `recv()` on a closed, drained channel and by `send()` on a closed one. */
  export class ChannelClosed extends Error {
    /** `message` defaults to "the channel is closed". */
    constructor(message?: string);
  }
  export class Mutex {
    readonly locked: boolean;
    lock(): void;
    unlock(): void;
    /** Runs `body` holding the lock, released however `body` ends. */
    with<T>(body: () => T): T;
  }
  export class Semaphore {
    constructor(permits: number);
    /** Permits free now. */
    readonly available: number;
    acquire(): void;
    release(): void;
    with<T>(body: () => T): T;
  }
}
