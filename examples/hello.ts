// A first look: TypeScript runs as written, values print the way Node prints them, and
// top-level await waits on real timers.
interface Greeting {
  to: string;
  at: Date;
}

const greeting: Greeting = { to: process.argv[2] ?? "world", at: new Date(0) };
console.log(`hello, ${greeting.to}!`);
console.log(greeting, new Map([["runtime", "uringy"]]));

const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, 10));
console.log(`waited ${Math.round(performance.now() - started)} ms on the ring`);
