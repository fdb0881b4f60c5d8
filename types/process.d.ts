/**
 * `uringy:process` — signals as events. A signal that a fiber waits for or listens to arrives
 * in the scheduler's turn, never as an asynchronous handler; with nobody subscribed, it does
 * what it would without Uringy (SIGINT and SIGTERM end the process).
 */
declare module "uringy:process" {
  /** Suspends the calling fiber until one of `signals` ("SIGINT", "SIGTERM", …) arrives;
   *  returns its name. Throws `Cancelled` if the fiber is cancelled meanwhile. */
  export function waitForSignal(...signals: string[]): string;
  /** Calls `handler` on a new fiber each time `signal` arrives; returns an unsubscribe. A
   *  listener does not keep the program alive. */
  export function onSignal(signal: string, handler: (name: string) => void): () => void;
}
