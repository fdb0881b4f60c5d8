// setTimeout/setInterval. Deadlines live in the runtime's timer queue;
// an error thrown by a callback is uncaught and ends the program, as in Node.

import ops from "uringy:ops";

const { op_timer_start, op_timer_start_unref, op_timer_clear } = ops;

type Callback = (...args: unknown[]) => void;

function start(callback: Callback, ms: unknown, args: unknown[], repeat: boolean): number {
  if (typeof callback !== "function") {
    throw new TypeError(`The "callback" argument must be a function, received ${callback === null ? "null" : typeof callback}`);
  }
  // As in Node, a delay that is not a number from 1 to 2^31-1 ms means 1 ms (browsers wrap
  // larger ones to 0): never "practically never".
  const delay = Number(ms);
  const valid = delay >= 1 && delay <= 2_147_483_647;
  return op_timer_start(args.length ? () => callback(...args) : callback, valid ? delay : 1, repeat);
}

export function setTimeout(callback: Callback, ms?: number, ...args: unknown[]): number {
  return start(callback, ms, args, false);
}

export function setInterval(callback: Callback, ms?: number, ...args: unknown[]): number {
  return start(callback, ms, args, true);
}

export function clearTimeout(id?: number): void {
  if (typeof id === "number") op_timer_clear(id);
}

export const clearInterval = clearTimeout;

/** A timeout that fires if the program is still running then, but does not keep it running
 *  (for AbortSignal.timeout and the like). */
export function setUnrefTimeout(callback: () => void, ms: number): number {
  return op_timer_start_unref(callback, ms >= 1 ? ms : 1);
}
