// The smaller globals: crypto, performance, process, console, and how globals are installed.

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";

const proc = process;

const global = globalThis as unknown as Record<string, unknown>;

describe("how globals are installed", () => {
  const names = ["console", "setTimeout", "setInterval", "clearTimeout", "clearInterval", "queueMicrotask", "process",
    "performance", "reportError", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "crypto", "atob", "btoa",
    "structuredClone", "DOMException", "Event", "CustomEvent", "EventTarget", "AbortController", "AbortSignal"];

  test("none is enumerable on globalThis", () => {
    const enumerable = names.filter((name) => Object.getOwnPropertyDescriptor(globalThis, name)?.enumerable !== false);
    expect(enumerable).toEqual([]);
  });

  test("for-in over globalThis lists none of them", () => {
    const listed: string[] = [];
    for (const key in globalThis) listed.push(key);
    expect(listed.filter((key) => names.includes(key))).toEqual([]);
  });

  test("all are configurable and writable (or have a setter)", () => {
    for (const name of names) {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
      expect(descriptor?.configurable).toBe(true);
      expect(descriptor?.writable === true || typeof descriptor?.set === "function").toBe(true);
    }
  });

  test("assigning a global that has not been loaded yet replaces it", () => {
    // This group comes first in the file, so nothing has read AbortSignal yet.
    const original = Object.getOwnPropertyDescriptor(globalThis, "AbortSignal")!;
    expect(typeof original.get).toBe("function");
    const replacement = class FakeAbortSignal {};
    try {
      global.AbortSignal = replacement;
      expect(global.AbortSignal).toBe(replacement);
      expect(Object.getOwnPropertyDescriptor(globalThis, "AbortSignal")?.enumerable).toBe(false);
    } finally {
      Object.defineProperty(globalThis, "AbortSignal", original);
    }
  });

  test("assigning a global that has been loaded replaces it", () => {
    const original = URL;
    const replacement = function FakeURL() {};
    try {
      global.URL = replacement;
      expect(global.URL).toBe(replacement);
    } finally {
      global.URL = original;
    }
    expect(URL).toBe(original);
    expect(new URL("http://a/").href).toBe("http://a/");
  });

  test("a lazily loaded global is the same object on every read", () => {
    expect(global.TextDecoder).toBe(global.TextDecoder);
    expect(crypto).toBe(crypto);
  });

  test("a global can be deleted", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "btoa")!;
    try {
      expect(delete global.btoa).toBe(true);
      expect("btoa" in globalThis).toBe(false);
    } finally {
      Object.defineProperty(globalThis, "btoa", original);
    }
  });
});

describe("crypto.getRandomValues", () => {
  test("fills the array and returns the same array", () => {
    const array = new Uint8Array(64);
    expect(crypto.getRandomValues(array)).toBe(array);
    expect(array.some((byte) => byte !== 0)).toBe(true);
  });

  test("fills every byte of wider integer arrays", () => {
    const array = new Uint32Array(256);
    crypto.getRandomValues(array);
    // A zero in every one of 256 random 32-bit words is practically impossible.
    expect(array.every((word) => word === 0)).toBe(false);
    expect(new Set(array).size).toBeGreaterThan(250);
  });

  test("gives different values each call", () => {
    const a = crypto.getRandomValues(new Uint8Array(32));
    const b = crypto.getRandomValues(new Uint8Array(32));
    expect(a).not.toEqual(b);
  });

  test("fills only the bytes of a view with an offset", () => {
    const buffer = new Uint8Array(48);
    crypto.getRandomValues(buffer.subarray(16, 32));
    expect(buffer.subarray(0, 16).every((byte) => byte === 0)).toBe(true);
    expect(buffer.subarray(32).every((byte) => byte === 0)).toBe(true);
    expect(buffer.subarray(16, 32).some((byte) => byte !== 0)).toBe(true);
  });

  test("accepts every integer typed array, BigInt ones included", () => {
    for (const array of [new Int8Array(4), new Uint8ClampedArray(4), new Int16Array(4), new Int32Array(4), new BigInt64Array(4), new BigUint64Array(4)]) {
      expect(crypto.getRandomValues(array)).toBe(array);
    }
  });

  test("accepts an empty array", () => {
    expect(crypto.getRandomValues(new Uint8Array(0))).toHaveLength(0);
  });

  test("rejects float arrays and DataView with a TypeMismatchError DOMException", () => {
    for (const view of [new Float32Array(2), new Float64Array(2), new DataView(new ArrayBuffer(2))]) {
      const error = thrown(() => crypto.getRandomValues(view as unknown as Uint8Array));
      expect(error).toBeInstanceOf(DOMException);
      expect(error.name).toBe("TypeMismatchError");
      expect(error.code).toBe(17);
    }
  });

  test("rejects what is not a typed array at all with a TypeError", () => {
    expect(() => crypto.getRandomValues([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => (crypto.getRandomValues as (a?: unknown) => unknown)()).toThrow(TypeError);
  });

  test("accepts exactly 65536 bytes", () => {
    expect(crypto.getRandomValues(new Uint8Array(65536))).toHaveLength(65536);
    expect(crypto.getRandomValues(new Uint32Array(16384))).toHaveLength(16384);
  });

  test("more than 65536 bytes throws a QuotaExceededError DOMException", () => {
    const error = thrown(() => crypto.getRandomValues(new Uint8Array(65537)));
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe("QuotaExceededError");
    expect(error.code).toBe(22);
    expect(() => crypto.getRandomValues(new Uint32Array(16385))).toThrow(DOMException);
  });

  test("crypto is tagged Crypto", () => {
    expect(Object.prototype.toString.call(crypto)).toBe("[object Crypto]");
  });
});

describe("crypto.randomUUID", () => {
  test("is a lower-case version 4, variant 1 UUID", () => {
    for (let i = 0; i < 100; i++) {
      expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  test("is unique", () => {
    const uuids = new Set(Array.from({ length: 1000 }, () => crypto.randomUUID()));
    expect(uuids.size).toBe(1000);
  });
});

describe("performance", () => {
  test("now is in milliseconds with sub-millisecond precision", () => {
    const samples = Array.from({ length: 50 }, () => performance.now());
    expect(samples.some((t) => !Number.isInteger(t))).toBe(true);
  });

  test("now never goes backwards", () => {
    let previous = performance.now();
    for (let i = 0; i < 10000; i++) {
      const current = performance.now();
      expect(current >= previous).toBe(true);
      previous = current;
    }
  });

  test("now advances in step with a timer", async () => {
    const before = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = performance.now() - before;
    expect(elapsed).toBeGreaterThanOrEqual(19);
    expect(elapsed).toBeLessThan(1000);
  });

  test("now counts from the start of the runtime", () => {
    expect(performance.now()).toBeGreaterThan(0);
    expect(performance.now()).toBeLessThan(60_000);
  });

  test("timeOrigin plus now is the wall-clock time", () => {
    expect(Math.abs(performance.timeOrigin + performance.now() - Date.now())).toBeLessThan(50);
  });

  test("toJSON gives timeOrigin", () => {
    expect(JSON.parse(JSON.stringify(performance))).toEqual({ timeOrigin: performance.timeOrigin });
  });
});

describe("process", () => {
  test("argv holds the executable, then the absolute path of this test file", () => {
    expect(Array.isArray(process.argv)).toBe(true);
    expect(process.argv[0]).toMatch(/^\//);
    expect(process.argv[1]).toMatch(/^\/.*globals\.test\.ts$/);
  });

  test("env is an object of strings with PATH", () => {
    expect(typeof process.env).toBe("object");
    expect(typeof process.env.PATH).toBe("string");
    expect(Object.values(process.env).every((value) => typeof value === "string")).toBe(true);
  });

  test("env is the same object each time, and keeps changes", () => {
    process.env.URINGY_TEST_VARIABLE = "yes";
    expect(process.env).toBe(process.env);
    expect(process.env.URINGY_TEST_VARIABLE).toBe("yes");
    delete process.env.URINGY_TEST_VARIABLE;
    expect("URINGY_TEST_VARIABLE" in process.env).toBe(false);
  });

  test("values assigned to env become strings", () => {
    (process.env as Record<string, unknown>).URINGY_TEST_NUMBER = 8080;
    expect(process.env.URINGY_TEST_NUMBER).toBe("8080");
    delete process.env.URINGY_TEST_NUMBER;
  });

  test("cwd returns an absolute path", () => {
    expect(process.cwd()).toMatch(/^\//);
  });

  test("chdir changes cwd", () => {
    const original = process.cwd();
    try {
      proc.chdir("/tmp");
      expect(process.cwd()).toBe("/tmp");
      proc.chdir("..");
      expect(process.cwd()).toBe("/");
    } finally {
      proc.chdir(original);
    }
    expect(process.cwd()).toBe(original);
  });

  test("chdir to a missing directory throws and leaves cwd alone", () => {
    const original = process.cwd();
    expect(() => proc.chdir("/no/such/directory/here")).toThrow(/no such file or directory/i);
    expect(process.cwd()).toBe(original);
  });

  test("pid is a positive integer", () => {
    expect(Number.isInteger(process.pid)).toBe(true);
    expect(process.pid).toBeGreaterThan(0);
  });

  test("platform is linux", () => {
    expect(process.platform).toBe("linux");
  });

  test("version is v and the versions entry for uringy", () => {
    expect(process.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(process.version).toBe(`v${process.versions.uringy}`);
  });

  test("exitCode starts undefined and can be set", () => {
    expect(process.exitCode).toBeUndefined();
    try {
      process.exitCode = 3;
      expect(process.exitCode).toBe(3);
    } finally {
      process.exitCode = undefined;
    }
  });

  test("nextTick runs the callback later, with the arguments", async () => {
    const calls: unknown[][] = [];
    proc.nextTick((...args: unknown[]) => calls.push(args), "a", 1);
    expect(calls).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(calls).toEqual([["a", 1]]);
  });

  test("nextTick runs before timers", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    proc.nextTick(() => order.push("tick"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual(["tick", "timer"]);
  });

  test("nextTick with a non-function throws a TypeError at once", () => {
    expect(() => proc.nextTick("code" as unknown as () => void)).toThrow(TypeError);
  });

  test("stdout and stderr have write, which returns true", () => {
    expect(typeof proc.stdout.write).toBe("function");
    expect(typeof proc.stderr.write).toBe("function");
    expect(proc.stdout.write("")).toBe(true);
  });
});

describe("console", () => {
  test("has every method", () => {
    const methods = ["log", "info", "warn", "error", "debug", "trace", "table", "time", "timeEnd", "timeLog", "count",
      "countReset", "group", "groupEnd", "dir", "assert"];
    const missing = methods.filter((name) => typeof (console as unknown as Record<string, unknown>)[name] !== "function");
    expect(missing).toEqual([]);
  });

  test("assert with a true condition neither prints nor throws", () => {
    expect(() => console.assert(true, "never shown")).not.toThrow();
  });
});

describe("other globals", () => {
  test("atob and btoa are functions", () => {
    expect(typeof atob).toBe("function");
    expect(typeof btoa).toBe("function");
    expect(atob(btoa("hi"))).toBe("hi");
  });

  test("structuredClone is a function that deep-copies", () => {
    const original = { nested: { list: [1, 2] } };
    const copy = structuredClone(original);
    expect(copy).toEqual(original);
    expect(copy.nested).not.toBe(original.nested);
  });

  test("AbortController, AbortSignal, Event, CustomEvent, EventTarget and DOMException are classes", () => {
    for (const name of ["AbortController", "AbortSignal", "Event", "CustomEvent", "EventTarget", "DOMException"]) {
      expect(typeof global[name]).toBe("function");
    }
    expect(new AbortController().signal).toBeInstanceOf(EventTarget);
    expect(new Event("x").type).toBe("x");
  });

  test("TextEncoder, TextDecoder, URL and URLSearchParams are classes", () => {
    for (const name of ["TextEncoder", "TextDecoder", "URL", "URLSearchParams"]) {
      expect(typeof global[name]).toBe("function");
    }
  });

  test("timer functions, queueMicrotask and reportError are functions", () => {
    for (const name of ["setTimeout", "setInterval", "clearTimeout", "clearInterval", "queueMicrotask", "reportError"]) {
      expect(typeof global[name]).toBe("function");
    }
  });
});
