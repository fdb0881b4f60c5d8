// setTimeout/setInterval/clearTimeout/clearInterval, queueMicrotask and how they are ordered
// against promise jobs.

import { test, expect, describe } from "uringy:test";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(() => resolve(), ms));
}

describe("setTimeout", () => {
  test("returns a numeric id, different for each timer", () => {
    const first = setTimeout(() => {}, 1);
    const second = setTimeout(() => {}, 1);
    clearTimeout(first);
    clearTimeout(second);
    expect(typeof first).toBe("number");
    expect(first).not.toBe(second);
  });

  test("runs the callback later, not synchronously", async () => {
    let ran = false;
    setTimeout(() => {
      ran = true;
    }, 0);
    expect(ran).toBe(false);
    await sleep(5);
    expect(ran).toBe(true);
  });

  test("timers with equal delays fire in the order they were set", async () => {
    const order: number[] = [];
    for (let i = 0; i < 10; i++) setTimeout(() => order.push(i), 2);
    await sleep(20);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("a shorter delay fires before a longer one set earlier", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("long"), 30);
    setTimeout(() => order.push("short"), 5);
    await sleep(50);
    expect(order).toEqual(["short", "long"]);
  });

  test("a delay of 0 counts as 1 ms, so it keeps its place among 1 ms timers", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("one"), 1);
    setTimeout(() => order.push("zero"), 0);
    await sleep(10);
    expect(order).toEqual(["one", "zero"]);
  });

  test("passes extra arguments to the callback", async () => {
    let received: unknown[] = [];
    setTimeout((...args: unknown[]) => {
      received = args;
    }, 1, "a", 2, null);
    await sleep(10);
    expect(received).toEqual(["a", 2, null]);
  });

  test("waits at least about as long as asked", async () => {
    const started = performance.now();
    const elapsed = await new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - started), 25));
    expect(elapsed).toBeGreaterThanOrEqual(24);
    expect(elapsed).toBeLessThan(1000);
  });

  test("a delay given as a numeric string is used", async () => {
    const started = performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, "20" as unknown as number));
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });

  test("negative, NaN and too large delays mean 1 ms", async () => {
    const fired: string[] = [];
    setTimeout(() => fired.push("negative"), -5);
    setTimeout(() => fired.push("NaN"), NaN);
    setTimeout(() => fired.push("2^31"), 2 ** 31);
    setTimeout(() => fired.push("Infinity"), Infinity);
    await sleep(20);
    expect(fired).toEqual(["negative", "NaN", "2^31", "Infinity"]);
  });

  test("a non-function callback throws a TypeError", () => {
    for (const callback of ["code", null, undefined, 1, {}]) {
      expect(() => setTimeout(callback as unknown as () => void, 1)).toThrow(TypeError);
    }
  });

  test("a callback may set further timers", async () => {
    const order: string[] = [];
    setTimeout(() => {
      order.push("outer");
      setTimeout(() => order.push("inner"), 1);
    }, 1);
    await sleep(20);
    expect(order).toEqual(["outer", "inner"]);
  });
});

describe("clearTimeout", () => {
  test("stops a timer before it fires", async () => {
    let ran = false;
    const id = setTimeout(() => {
      ran = true;
    }, 1);
    clearTimeout(id);
    await sleep(10);
    expect(ran).toBe(false);
  });

  test("a callback can clear a timer due at the same time", async () => {
    const fired: string[] = [];
    setTimeout(() => {
      fired.push("first");
      clearTimeout(second);
    }, 2);
    const second = setTimeout(() => fired.push("second"), 2);
    await sleep(15);
    expect(fired).toEqual(["first"]);
  });

  test("ignores ids that are unknown, already fired, or not numbers", async () => {
    const id = setTimeout(() => {}, 1);
    await sleep(5);
    expect(() => {
      clearTimeout(id);
      clearTimeout(123456);
      clearTimeout(undefined);
      clearTimeout(null as unknown as number);
      clearTimeout("abc" as unknown as number);
    }).not.toThrow();
  });

  test("clearInterval also clears a timeout", async () => {
    let ran = false;
    const id = setTimeout(() => {
      ran = true;
    }, 1);
    clearInterval(id);
    await sleep(10);
    expect(ran).toBe(false);
  });
});

describe("setInterval", () => {
  test("repeats until cleared from inside its callback", async () => {
    let count = 0;
    const id = setInterval(() => {
      count++;
      if (count === 3) clearInterval(id);
    }, 1);
    await sleep(40);
    expect(count).toBe(3);
  });

  test("clearInterval from outside stops it", async () => {
    let count = 0;
    const id = setInterval(() => count++, 2);
    await sleep(15);
    clearInterval(id);
    const seen = count;
    await sleep(15);
    expect(seen).toBeGreaterThan(0);
    expect(count).toBe(seen);
  });

  test("passes extra arguments every time", async () => {
    const received: unknown[][] = [];
    const id = setInterval((...args: unknown[]) => {
      received.push(args);
      if (received.length === 2) clearInterval(id);
    }, 1, "x", 1);
    await sleep(20);
    expect(received).toEqual([["x", 1], ["x", 1]]);
  });

  test("fires no more often than its delay", async () => {
    const times: number[] = [];
    const id = setInterval(() => {
      times.push(performance.now());
      if (times.length === 3) clearInterval(id);
    }, 10);
    await sleep(80);
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(9);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(9);
  });

  test("a non-function callback throws a TypeError", () => {
    expect(() => setInterval("code" as unknown as () => void, 1)).toThrow(TypeError);
  });
});

describe("queueMicrotask", () => {
  test("runs after the current synchronous code", async () => {
    const order: string[] = [];
    queueMicrotask(() => order.push("microtask"));
    order.push("sync");
    await Promise.resolve();
    expect(order).toEqual(["sync", "microtask"]);
  });

  test("runs before timers, even ones already due", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    queueMicrotask(() => order.push("microtask"));
    await sleep(10);
    expect(order).toEqual(["microtask", "timer"]);
  });

  test("shares one FIFO queue with promise jobs", async () => {
    const order: string[] = [];
    Promise.resolve().then(() => order.push("promise 1"));
    queueMicrotask(() => order.push("microtask 1"));
    Promise.resolve().then(() => order.push("promise 2"));
    queueMicrotask(() => order.push("microtask 2"));
    await sleep(1);
    expect(order).toEqual(["promise 1", "microtask 1", "promise 2", "microtask 2"]);
  });

  test("microtasks queued by a microtask run before the next timer", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    queueMicrotask(() => {
      order.push("outer");
      queueMicrotask(() => order.push("inner"));
    });
    await sleep(10);
    expect(order).toEqual(["outer", "inner", "timer"]);
  });

  test("microtasks queued by a timer callback run before the next timer", async () => {
    const order: string[] = [];
    setTimeout(() => {
      order.push("timer 1");
      queueMicrotask(() => order.push("microtask"));
      Promise.resolve().then(() => order.push("promise"));
    }, 1);
    setTimeout(() => order.push("timer 2"), 1);
    await sleep(10);
    expect(order).toEqual(["timer 1", "microtask", "promise", "timer 2"]);
  });

  test("a non-function callback throws a TypeError", () => {
    expect(() => queueMicrotask("code" as unknown as () => void)).toThrow(TypeError);
    expect(() => queueMicrotask(undefined as unknown as () => void)).toThrow(TypeError);
  });
});
