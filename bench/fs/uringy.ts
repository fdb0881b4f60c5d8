// The fs benchmark's Uringy program: `uringy:fs` called in a plain loop in one fiber (each call
// suspends only that fiber while the ring works). Twin of common.mjs (Node, Bun, Deno).
//
// Usage: uringy uringy.ts OP DIR SHAPE N SIZE [X]
//   OP read:    readFile() files 0 … N-1 of DIR/read/SHAPE (each SIZE bytes)
//      write:   writeFile() N files of SIZE bytes, all bytes X, into DIR/write/SHAPE (fresh or
//               replacing files of that size, as the harness prepared)
//      stat:    stat() files 0 … N-1 of DIR/read/SHAPE
//      readdir: readDir(DIR/read/SHAPE), which holds N entries, X times
// Warm-up (not timed): read, write and stat first do a tenth of N (none when N < 10; writes go
// to DIR/write/SHAPE-warm), readdir one call. Prints one JSON line; the time is the loop's
// wall-clock from performance.now(). Files are named f00000, f00001, … (fixtures.py).
import { readDir, readFile, stat, writeFile } from "uringy:fs";

const [op, dir, shape, nArg, sizeArg, x] = process.argv.slice(2);
const n = Number(nArg);
const size = Number(sizeArg);
const warmCount = n >= 10 ? Math.ceil(n / 10) : 0;
const name = (i: number) => "f" + String(i).padStart(5, "0");
const paths = (under: string, count: number) => Array.from({ length: count }, (_, i) => `${under}/${name(i)}`);

function fail(message: string): never {
  throw new Error(`${op} ${shape}: ${message}`);
}

function reads(list: string[]): number {
  let check = 0;
  for (const p of list) {
    const data = readFile(p);
    if (data.length !== size) fail(`${p}: ${data.length} bytes, expected ${size}`);
    check += data[0] + data[data.length - 1];
  }
  return check;
}

function writes(list: string[], data: Uint8Array): void {
  for (const p of list) writeFile(p, data);
}

function stats(list: string[]): number {
  let total = 0;
  for (const p of list) total += stat(p).size;
  return total;
}

function lists(path: string, times: number): number {
  let files = 0;
  for (let i = 0; i < times; i++) {
    const entries = readDir(path);
    if (entries.length !== n) fail(`${entries.length} entries, expected ${n}`);
    files = 0;
    for (const e of entries) if (e.isFile) files++;
  }
  return files;
}

let ms: number, ops: number, result: Record<string, number>;
if (op === "read") {
  const list = paths(`${dir}/read/${shape}`, n);
  reads(list.slice(0, warmCount));
  const start = performance.now();
  const check = reads(list);
  ms = performance.now() - start;
  ops = n;
  result = { bytes: n * size, check };
} else if (op === "write") {
  const data = new Uint8Array(size).fill(Number(x));
  writes(paths(`${dir}/write/${shape}-warm`, warmCount), data);
  const list = paths(`${dir}/write/${shape}`, n);
  const start = performance.now();
  writes(list, data);
  ms = performance.now() - start;
  ops = n;
  result = { bytes: n * size };
} else if (op === "stat") {
  const list = paths(`${dir}/read/${shape}`, n);
  stats(list.slice(0, warmCount));
  const start = performance.now();
  const total = stats(list);
  ms = performance.now() - start;
  ops = n;
  if (total !== n * size) fail(`sizes add up to ${total}, expected ${n * size}`);
  result = { bytes: total };
} else if (op === "readdir") {
  const path = `${dir}/read/${shape}`;
  lists(path, 1);
  const times = Number(x);
  const start = performance.now();
  const files = lists(path, times);
  ms = performance.now() - start;
  ops = times;
  if (files !== n) fail(`${files} entries are files, expected ${n}`);
  result = { entries: n, files };
} else {
  fail("unknown op");
}
console.log(JSON.stringify({ op, shape, variant: "uringy", ops, ms, usPerOp: (ms * 1000) / ops, ...result }));
