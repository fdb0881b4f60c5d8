// Question 4 (Node, Bun, Deno): the Promise twin of sleepers.ts: N async functions each
// `await new Promise(r => setTimeout(r, MS))`. Usage: <runtime> sleepers.mjs [N] [MS].
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const n = Number(args[0] ?? 100000);
const ms = Number(args[1] ?? 5000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let asleep = 0;
let woke = 0;

const start = performance.now();
const tasks = [];
for (let i = 0; i < n; i++) {
  tasks.push((async () => {
    asleep++;
    await sleep(ms);
    woke++;
  })());
}
while (asleep < n) await sleep(10);
console.log(JSON.stringify({ q: "sleepers", phase: "ready", n, asleep, ms: performance.now() - start }));
await Promise.all(tasks);
console.log(JSON.stringify({ q: "sleepers", phase: "done", n, woke, ms: performance.now() - start }));
