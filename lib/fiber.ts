// `uringy:fiber` — fibers and structured concurrency (API.md, rules 1–12).
//
// The scheduler (runtime/src/scheduler) keeps the task tree; this module gives it its API:
// `Fiber` objects, and the calls that wait, which throw `Cancelled` when the native side says
// the wait was cancelled.

import ops from "uringy:ops";
import { cancelMark } from "./internal/cancel_mark.ts";

const {
  op_fiber_register, op_fiber_spawn, op_fiber_current, op_fiber_handle, op_fiber_join, op_fiber_cancel,
  op_fiber_is_cancelled, op_fiber_yield, op_fiber_sleep, op_fiber_checkpoint, op_fiber_wait,
  op_fiber_scope_enter, op_fiber_scope_exit, op_fiber_shield,
} = ops;

/** Thrown by a call that waits in a cancelled fiber (and by `join()` on a cancelled fiber). */
export class Cancelled extends Error {
  constructor(message = "the fiber was cancelled") {
    super(message);
    this.name = "Cancelled";
  }
}

/** Thrown by `timeout()` when its body did not finish in time. */
export class TimeoutError extends Error {
  constructor(message = "timed out") {
    super(message);
    this.name = "TimeoutError";
  }
}

/** A wait that the native side reports as cancelled. */
const WAIT_CANCELLED = 1;
const RUNNING = 0, RETURNED = 1, FAILED = 2;
// A fiber's record: one array, which the scheduler writes the outcome into when the fiber is
// done (runtime/src/scheduler/fibers.rs, `flush_effects`) — no JS call, one property per `Fiber`.
// The record does not point back at its `Fiber` (no cycle for the garbage collector to find).
const TASK = 0, ID = 1, STATE = 2, VALUE = 3, WAS_CANCELLED = 4;
type Record = [task: number, id: number, state: number, value: unknown, cancelled: boolean];
let lastId = 0;

// Module-private access to Fiber's record, set by its static block.
let recordOf: (fiber: Fiber) => Record;

/** Runs `fn` on a new fiber, a child of the calling fiber (or of its innermost scope). */
export let spawn: <T>(fn: () => T) => Fiber<T>;

export class Fiber<T = unknown> {
  // No constructor: a field initializer alone makes construction cheaper, and spawn is hot.
  // A `new Fiber()` made by hand belongs to no task (its methods throw a TypeError).
  #r: Record = [-1, ++lastId, RUNNING, undefined, false];

  /** A number that names this fiber, unique in the thread. */
  get id(): number {
    return this.#r[ID];
  }

  /** Whether its function returned or threw and every fiber below it is done. */
  get done(): boolean {
    return this.#r[STATE] !== RUNNING;
  }

  get cancelled(): boolean {
    const r = this.#r;
    return r[STATE] === RUNNING ? op_fiber_is_cancelled(r[TASK]) : r[WAS_CANCELLED];
  }

  /** Waits until the fiber is done; returns its value or throws its error (`Cancelled` if it
   *  was cancelled). A failure received here goes no further up the tree. */
  join(): T {
    const r = this.#r;
    if (r[STATE] === RUNNING && op_fiber_join(r[TASK]) === WAIT_CANCELLED) {
      throw new Cancelled();
    }
    if (r[STATE] === RETURNED) return r[VALUE] as T;
    if (r[STATE] === FAILED) throw r[VALUE];
    throw new Cancelled(`fiber ${r[ID]} was cancelled`);
  }

  /** Cancels this fiber and every fiber below it; returns at once. */
  cancel(): void {
    if (this.#r[STATE] === RUNNING) op_fiber_cancel(this.#r[TASK]);
  }

  static {
    recordOf = (fiber) => fiber.#r;
    // Defined here to reach the record without a call: spawn is hot.
    spawn = <T>(fn: () => T): Fiber<T> => {
      if (typeof fn !== "function") throw new TypeError("spawn(fn): fn must be a function");
      const fiber = new Fiber<T>();
      op_fiber_spawn(fn, fiber.#r, fiber); // sets the record's task
      return fiber;
    };
  }

  get [Symbol.toStringTag](): string {
    return "Fiber";
  }
}

op_fiber_register(Cancelled, cancelMark);


/** The fiber running now. */
export function current(): Fiber {
  const task = op_fiber_current();
  const known = op_fiber_handle(task) as Fiber | undefined;
  if (known !== undefined) return known;
  const fiber = new Fiber();
  recordOf(fiber)[TASK] = task;
  op_fiber_handle(task, recordOf(fiber), fiber);
  return fiber;
}

/** Lets every other ready fiber run once. */
export function yieldNow(): void {
  if (op_fiber_yield() === WAIT_CANCELLED) throw new Cancelled();
}

/** Suspends this fiber for `ms` milliseconds; throws `Cancelled` when cancelled. The op
 *  itself, with no JS frame around it: a fiber's memory is its stack. */
export const sleep: (ms: number) => void = op_fiber_sleep;
Object.defineProperty(sleep, "name", { value: "sleep" });

/** Throws `Cancelled` if this fiber was cancelled (outside `shield`). */
export function checkpoint(): void {
  if (op_fiber_checkpoint()) throw new Cancelled();
}

/** Suspends this fiber until `promise` (any thenable) settles; returns its value or throws
 *  its reason. */
export function wait<T>(promise: PromiseLike<T> | T): T {
  const value = op_fiber_wait(promise);
  if (value === cancelMark) throw new Cancelled();
  return value as T;
}

/** Runs `body` in this fiber; fibers spawned inside belong to the scope, and `scope` returns
 *  only when all of them are done. The first failure among them cancels the rest and the body,
 *  and `scope` throws it. */
export function scope<T>(body: () => T): T {
  return enclose(-1, body);
}

/** As `scope`, but if it is not done after `ms` it is cancelled, and `TimeoutError` is thrown
 *  once everything inside has finished. */
export function timeout<T>(ms: number, body: () => T): T {
  const limit = Number(ms);
  if (!(limit >= 0)) throw new RangeError(`timeout(ms, body): ms must be a number ≥ 0, got ${ms}`);
  return enclose(limit, () => body());
}

function enclose<T>(ms: number, body: () => T): T {
  if (typeof body !== "function") throw new TypeError("the body must be a function");
  const id = op_fiber_scope_enter(ms);
  let result: T | undefined;
  let error: unknown;
  let threw = false;
  try {
    result = body();
  } catch (e) {
    threw = true;
    error = e;
    // The body failed: its fibers are cancelled rather than waited for.
    op_fiber_cancel(id);
  }
  const [timedOut, failures] = op_fiber_scope_exit(id);
  if (failures.length > 0) throw failures[0];
  if (timedOut) throw new TimeoutError(`timed out after ${ms} ms`);
  if (threw) throw error;
  return result as T;
}

/** Runs `body` with cancellation held off: calls that wait inside are not interrupted (for
 *  cleanup such as a final write); a cancellation takes effect after `body` returns. */
export function shield<T>(body: () => T): T {
  op_fiber_shield(1);
  try {
    return body();
  } finally {
    op_fiber_shield(-1);
  }
}
