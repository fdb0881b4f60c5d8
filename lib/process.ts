// `uringy:process` — signals as events a fiber waits for, or listens to. A signal somebody
// subscribed to arrives through the ring in the scheduler's turn (runtime/src/ops/process/
// signal.rs), never as an asynchronous handler; once nobody is subscribed it does what it
// would have done without Uringy (SIGINT and SIGTERM end the process).

import ops from "uringy:ops";
import { Cancelled, spawn } from "uringy:fiber";
import { cancelMark } from "./internal/cancel_mark.ts";

const NUMBERS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTRAP: 5, SIGABRT: 6, SIGUSR1: 10, SIGUSR2: 12, SIGPIPE: 13,
  SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGTSTP: 20, SIGTTIN: 21,
  SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};
const NAMES = new Map(Object.entries(NUMBERS).map(([name, n]) => [n, name]));
// Signals that cannot be caught (KILL, STOP), or that report a fault of the thread itself and
// cannot be waited for.
const REFUSED = new Set(["SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL"]);

function signalNumber(name: unknown, what: string): number {
  if (typeof name !== "string") throw new TypeError(`${what}: a signal name such as "SIGINT" is expected, got ${typeof name}`);
  if (REFUSED.has(name)) throw new TypeError(`${what}: ${name} cannot be waited for or handled`);
  const n = NUMBERS[name];
  if (n === undefined) throw new TypeError(`${what}: unknown signal ${JSON.stringify(name)}`);
  return n;
}

/** Suspends the calling fiber until one of `signals` arrives; returns its name. While it waits,
 *  those signals do not end the process. */
export function waitForSignal(...signals: string[]): string {
  if (signals.length === 0) throw new TypeError("waitForSignal: name at least one signal");
  const received = ops.op_process_wait_signal(signals.map((s) => signalNumber(s, "waitForSignal")));
  if (received === cancelMark) throw new Cancelled();
  return NAMES.get(received as number) ?? `SIG${String(received)}`;
}

const listeners = new Map<number, Set<{ handler: (name: string) => void }>>();

/** Calls `handler` on a new fiber each time `signal` arrives, until the returned function is
 *  called. A listener does not keep the program alive. */
export function onSignal(signal: string, handler: (name: string) => void): () => void {
  const n = signalNumber(signal, "onSignal");
  if (typeof handler !== "function") throw new TypeError("onSignal: handler must be a function");
  const entry = { handler };
  let set = listeners.get(n);
  if (set === undefined) listeners.set(n, (set = new Set()));
  set.add(entry);
  ops.op_process_listen_signal(n, 1);
  return () => {
    if (set.delete(entry)) ops.op_process_listen_signal(n, -1);
  };
}

// Runs on a fiber of its own (under the root) when signals with listeners arrive; each
// listener runs on a fiber of its own, so one that waits holds up no other.
ops.op_process_signal_dispatcher(() => {
  for (const n of ops.op_process_take_signals()) {
    const name = NAMES.get(n) ?? `SIG${n}`;
    for (const { handler } of [...(listeners.get(n) ?? [])]) spawn(() => handler(name));
  }
});
