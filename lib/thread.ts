// `uringy:thread` — the threads of `uringy --threads N` and the messages between them
// (API.md, rules 13–17). A message is a structured clone: copied here, in the sender's engine,
// written to bytes, and read in the receiver's (lib/internal/structured_clone.ts, `toWire`);
// the mailboxes and doorbells are runtime/src/ops/thread/.

import ops from "uringy:ops";
import { Cancelled } from "uringy:fiber";
import { cancelMark } from "./internal/cancel_mark.ts";
import { fromWire, toWire, type StructuredSerializeOptions } from "./internal/structured_clone.ts";

export { threadCount, threadId } from "./internal/thread_place.ts";
import { threadCount, threadId } from "./internal/thread_place.ts";

function checkId(to: unknown, what: string): number {
  if (typeof to !== "number") throw new TypeError(`${what}: a thread id (a number) is expected, got ${typeof to}`);
  return to;
}

/** Sends a copy of `message` to thread `to`; never waits. */
export function send(to: number, message: unknown, options?: StructuredSerializeOptions): void {
  checkId(to, "send");
  ops.op_thread_send(to, toWire(message, options), false);
}

/** Waits for the next message to this thread. */
export function recv(): { from: number; message: unknown } {
  const got = ops.op_thread_recv();
  if (got === cancelMark) throw new Cancelled();
  const [from, [records, copy]] = got as [number, [boolean, unknown]];
  return { from, message: records ? fromWire(copy) : copy };
}

/** Sends `message` to every other thread that is still running. */
export function broadcast(message: unknown): void {
  const wire = toWire(message);
  for (let to = 0; to < threadCount; to++) {
    if (to !== threadId) ops.op_thread_send(to, wire, true);
  }
}
