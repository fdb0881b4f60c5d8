// Question 1 (Node, Bun, Deno): the closest equivalent of spawn + join is calling an async
// function and awaiting it. Usage: <runtime> spawn.mjs [N]. Twin of spawn.ts.
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const n = Number(args[0] ?? 200000);
const empty = async () => {};

async function loop(count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await empty();
  return performance.now() - start;
}

await loop(Math.ceil(n / 10)); // warm-up, the same for every runtime
const ms = await loop(n);
console.log(JSON.stringify({ q: "spawn", n, ms, ns: (ms * 1e6) / n }));
