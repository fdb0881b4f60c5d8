/** `uringy:thread` — the threads of `uringy --threads N`, and messages between them. Each
 *  thread runs the program from the top with its own engine, fibers and ring; nothing is
 *  shared but messages. Without `--threads` there is one thread, 0. */
declare module "uringy:thread" {
  /** This thread's id: 0 to `threadCount - 1`. */
  export const threadId: number;
  /** How many threads run the program (`--threads`; 1 without it). */
  export const threadCount: number;
  /** Sends a structured-clone copy of `message` to thread `to`, never waiting. Messages from
   *  one thread to another arrive in the order sent; `send(threadId, …)` reaches this thread.
   *  Throws a RangeError for an id out of range, an Error once that thread has ended, and a
   *  `DOMException` named "DataCloneError" for what cannot be cloned (functions, symbols).
   *  ArrayBuffers in `options.transfer` are detached here once copied. */
  export function send(to: number, message: unknown, options?: StructuredSerializeOptions): void;
  /** Waits (suspending only the calling fiber) for the next message to this thread. Throws
   *  `Cancelled` when the fiber is cancelled. */
  export function recv(): { from: number; message: unknown };
  /** Sends `message` to every other thread. */
  export function broadcast(message: unknown): void;
}
