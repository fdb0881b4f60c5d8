// Question 4 (Uringy): N concurrent fibers each sleep(MS). Usage: uringy sleepers.ts [N] [MS].
// Prints a "ready" JSON line once every fiber is asleep (the harness then reads
// /proc/PID/status and /proc/PID/maps), joins them all and prints a "done" line with how many
// woke. Peer twin: sleepers.mjs.
import { sleep, spawn, type Fiber } from "uringy:fiber";

const n = Number(process.argv[2] ?? 100000);
const ms = Number(process.argv[3] ?? 5000);
let asleep = 0;
let woke = 0;

const start = performance.now();
const fibers: Fiber[] = [];
for (let i = 0; i < n; i++) {
  fibers.push(spawn(() => {
    asleep++;
    sleep(ms);
    woke++;
  }));
}
while (asleep < n) sleep(10);
console.log(JSON.stringify({ q: "sleepers", phase: "ready", n, asleep, ms: performance.now() - start }));
for (const fiber of fibers) fiber.join();
console.log(JSON.stringify({ q: "sleepers", phase: "done", n, woke, ms: performance.now() - start }));
