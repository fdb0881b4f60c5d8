// Question 2 (Uringy): suspend + resume from JS. Usage: uringy switch.ts [N]. Twin: switch.mjs.
// - yield: two fibers each call yieldNow() N times; ns per yield (one suspend + one resume).
// - pingpong: a value goes to another fiber and back through two `uringy:sync` Channels of
//   capacity 0; ns per round trip (each side suspends once and is resumed once).
import { spawn, yieldNow } from "uringy:fiber";
import { Channel } from "uringy:sync";

const n = Number(process.argv[2] ?? 200000);

function yields(count: number): number {
  const other = spawn(() => {
    for (let i = 0; i < count; i++) yieldNow();
  });
  const start = performance.now();
  for (let i = 0; i < count; i++) yieldNow();
  const ms = performance.now() - start;
  other.join();
  return ms;
}

function pingpong(count: number): number {
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  const echo = spawn(() => {
    for (let i = 0; i < count; i++) pong.send(ping.recv());
  });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    ping.send(i);
    pong.recv();
  }
  const ms = performance.now() - start;
  echo.join();
  return ms;
}

yields(Math.ceil(n / 10)); // warm-up, the same for every runtime
pingpong(Math.ceil(n / 10));
const yieldMs = yields(n);
const pingMs = pingpong(n);
console.log(JSON.stringify({
  q: "switch", n, yieldMs, yieldNs: (yieldMs * 1e6) / (2 * n), pingMs, pingNs: (pingMs * 1e6) / n,
}));
