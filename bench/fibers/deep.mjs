// Question 3 (Node, Bun, Deno): the Promise twin of deep.ts. N pending async functions, each
// DEPTH awaits deep (each async function awaits the next); the innermost awaits a long timer,
// as sleep(1e9) is in Uringy. Usage: <runtime> deep.mjs [N] [DEPTH] [HOLD_MS].
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const n = Number(args[0] ?? 10000);
const depth = Number(args[1] ?? 20);
const hold = Number(args[2] ?? 3000);
const exit = globalThis.Deno ? Deno.exit : process.exit;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let asleep = 0;

async function down(d) {
  if (d === 0) {
    asleep++;
    await sleep(1e9);
    return 0;
  }
  return (await down(d - 1)) + 1;
}

const start = performance.now();
for (let i = 0; i < n; i++) down(depth);
while (asleep < n) await sleep(10);
console.log(JSON.stringify({ q: "deep", phase: "ready", n, depth, asleep, ms: performance.now() - start }));
await sleep(hold);
// Promises cannot be cancelled: the long timers are left behind.
console.log(JSON.stringify({ q: "deep", phase: "done", n, asleep, cancelMs: null, ms: performance.now() - start }));
exit(0);
