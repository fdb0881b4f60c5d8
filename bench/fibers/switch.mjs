// Question 2 (Node, Bun, Deno): the Promise twin of switch.ts. Usage: <runtime> switch.mjs [N].
// - yield: two async functions each `await null` N times; ns per await (one suspend + resume).
// - pingpong: a value goes to another async function and back through two Promise channels
//   with the logic of `uringy:sync`'s capacity-0 Channel (a send finding a waiting receiver
//   hands over at once; otherwise it waits); ns per round trip.
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const n = Number(args[0] ?? 200000);

class Channel {
  #receivers = [];
  #senders = [];
  send(value) {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) {
      receiver(value);
      return undefined;
    }
    return new Promise((resolve) => this.#senders.push({ value, resolve }));
  }
  recv() {
    const sender = this.#senders.shift();
    if (sender !== undefined) {
      sender.resolve();
      return sender.value;
    }
    return new Promise((resolve) => this.#receivers.push(resolve));
  }
}

async function yields(count) {
  const other = (async () => {
    for (let i = 0; i < count; i++) await null;
  })();
  const start = performance.now();
  for (let i = 0; i < count; i++) await null;
  const ms = performance.now() - start;
  await other;
  return ms;
}

async function pingpong(count) {
  const ping = new Channel();
  const pong = new Channel();
  const echo = (async () => {
    for (let i = 0; i < count; i++) await pong.send(await ping.recv());
  })();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await ping.send(i);
    await pong.recv();
  }
  const ms = performance.now() - start;
  await echo;
  return ms;
}

await yields(Math.ceil(n / 10)); // warm-up, the same for every runtime
await pingpong(Math.ceil(n / 10));
const yieldMs = await yields(n);
const pingMs = await pingpong(n);
console.log(JSON.stringify({
  q: "switch", n, yieldMs, yieldNs: (yieldMs * 1e6) / (2 * n), pingMs, pingNs: (pingMs * 1e6) / n,
}));
