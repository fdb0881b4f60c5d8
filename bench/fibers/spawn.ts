// Question 1 (Uringy): spawn + join of an empty fiber, ns per op.
// Usage: uringy spawn.ts [N]. Prints one JSON line. Peer twin: spawn.mjs.
import { spawn } from "uringy:fiber";

const n = Number(process.argv[2] ?? 200000);
const empty = () => {};

function loop(count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) spawn(empty).join();
  return performance.now() - start;
}

loop(Math.ceil(n / 10)); // warm-up, the same for every runtime
const ms = loop(n);
console.log(JSON.stringify({ q: "spawn", n, ms, ns: (ms * 1e6) / n }));
