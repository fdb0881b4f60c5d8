// Question 3 (Uringy): memory per suspended fiber 20 plain JS calls deep.
// Usage: uringy deep.ts [N] [DEPTH] [HOLD_MS]. N fibers each recurse DEPTH calls, then sleep
// (until cancelled). Once all are asleep it prints a "ready" JSON line and holds HOLD_MS for
// the harness to read /proc/PID/status; then it cancels them all and prints a "done" line (asleep must be 0
// again, cancelMs is how long cancelling and joining took).
// Run with N=0 for the baseline. Peer twin: deep.mjs.
import { sleep, spawn } from "uringy:fiber";

const n = Number(process.argv[2] ?? 10000);
const depth = Number(process.argv[3] ?? 20);
const hold = Number(process.argv[4] ?? 3000);
let asleep = 0;

function down(d: number): number {
  if (d === 0) {
    asleep++;
    try {
      sleep(1e9);
    } finally {
      asleep--; // cancelled: the harness checks that every fiber got here
    }
    return 0;
  }
  return down(d - 1) + 1;
}

const start = performance.now();
const holder = spawn(() => {
  for (let i = 0; i < n; i++) spawn(() => down(depth));
});
while (asleep < n) sleep(10);
console.log(JSON.stringify({ q: "deep", phase: "ready", n, depth, asleep, ms: performance.now() - start }));
sleep(hold);
const cancelAt = performance.now();
holder.cancel();
holder.join(); // returns: holder's own function returned; its children end cancelled
const cancelMs = performance.now() - cancelAt;
console.log(JSON.stringify({ q: "deep", phase: "done", n, asleep, cancelMs, ms: performance.now() - start }));
