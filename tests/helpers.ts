// Helpers shared by the test files (not a test file itself: it does not end in .test.ts).

import { TcpStream, type TcpListener } from "uringy:net";

/** What `fn` throws, for inspecting it; fails if it throws nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an exception, but nothing was thrown");
}

/** `n` bytes that do not repeat within 16 MiB, so lost, repeated or reordered chunks show. */
export function pattern(n: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + seed;
    bytes[i] = (j + (j >>> 8) * 31 + (j >>> 16) * 17) & 0xff;
  }
  return bytes;
}

/** The first index where `a` and `b` differ (the shorter length if one is a prefix of the
 *  other), or -1. Compares eight bytes at a time: big files are compared whole. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  if (a.byteOffset % 8 === 0 && b.byteOffset % 8 === 0) {
    const words = Math.floor(n / 8);
    const x = new Float64Array(a.buffer, a.byteOffset, words);
    const y = new Float64Array(b.buffer, b.byteOffset, words);
    for (let w = 0; w < words; w++) {
      const p = x[w];
      // NaN never equals itself and +0 equals -0: look at those words' bytes.
      if (p !== y[w] || p === 0) {
        for (let k = w * 8; k < w * 8 + 8; k++) if (a[k] !== b[k]) return k;
      }
    }
    i = words * 8;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** A connected pair over loopback: [client, server]. */
export function pair(listener: TcpListener, host = "127.0.0.1"): [TcpStream, TcpStream] {
  const client = TcpStream.connect(host, listener.addr.port);
  return [client, listener.accept()];
}
