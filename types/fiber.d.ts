/**
 * `uringy:fiber` — fibers and structured concurrency. Every piece of JS runs on a fiber; a call
 * that waits suspends only its fiber. Fibers form a tree: children finish before their parents,
 * cancellation flows down, errors flow up.
 */
declare module "uringy:fiber" {
  /** A fiber, as `spawn` and `current` give it (one made with `new` belongs to no fiber). */
  export class Fiber<T = unknown> {
    private constructor();
    /** A number that names this fiber, unique in the thread. */
    readonly id: number;
    /** Its function returned or threw, and every fiber below it is done. */
    readonly done: boolean;
    readonly cancelled: boolean;
    /** Suspends until the fiber is done; returns its value or throws its error (`Cancelled` if
     *  it was cancelled). A failure received here goes no further up the tree. */
    join(): T;
    /** Cancels it and every fiber below it, including ones they spawn later; returns at once;
     *  idempotent. */
    cancel(): void;
    /** `"Fiber"`. */
    readonly [Symbol.toStringTag]: string;
  }
  /** Runs `fn` on a new fiber, a child of the calling fiber (or of its innermost scope). */
  export function spawn<T>(fn: () => T): Fiber<T>;
  /** The fiber running now. */
  export function current(): Fiber;
  /** Lets every other ready fiber run once. */
  export function yieldNow(): void;
  /** Suspends this fiber for `ms` milliseconds. */
  export function sleep(ms: number): void;
  /** Throws `Cancelled` if this fiber was cancelled (outside `shield`). */
  export function checkpoint(): void;
  /** Suspends until `promise` settles; returns its value or throws its reason. */
  export function wait<T>(promise: PromiseLike<T> | T): T;
  /** Runs `body` in this fiber; fibers spawned inside belong to the scope, which returns only
   *  when all of them are done. The first failure among them cancels the others and the body,
   *  and `scope` throws it. */
  export function scope<T>(body: () => T): T;
  /** As `scope`; if it is not done after `ms`, it is cancelled and `TimeoutError` is thrown once
   *  everything inside has finished. */
  export function timeout<T>(ms: number, body: () => T): T;
  /** Inside `body`, calls that wait are not interrupted by cancellation; the cancellation takes
   *  effect after `body` returns. */
  export function shield<T>(body: () => T): T;
  /** Thrown by a call that waits in a cancelled fiber, and by `join()` on a cancelled fiber. */
  export class Cancelled extends Error {
    /** `message` defaults to "the fiber was cancelled". */
    constructor(message?: string);
  }
  /** Thrown by `timeout` when its body did not finish in time. */
  export class TimeoutError extends Error {
    /** `message` defaults to "timed out". */
    constructor(message?: string);
  }
}
