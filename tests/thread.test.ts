// uringy:thread without --threads: one thread, 0, whose messages reach itself (rule 16). The
// rules between several threads are tried with real processes in runtime/tests/thread.rs.
import { test, expect, describe } from "uringy:test";
import { spawn, sleep, Cancelled } from "uringy:fiber";
import { broadcast, recv, send, threadCount, threadId } from "uringy:thread";

function roundTrip<T>(value: T): T {
  send(threadId, value);
  const { from, message } = recv();
  expect(from).toBe(0);
  return message as T;
}

describe("one thread", () => {
  test("rule 16: without --threads there is one thread, 0", () => {
    expect([threadId, threadCount]).toEqual([0, 1]);
  });

  test("rule 16: send(0, …) reaches this thread, in the order sent", () => {
    for (let i = 0; i < 1000; i++) send(0, i);
    const got = Array.from({ length: 1000 }, () => recv().message);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test("rule 16: a message is a structured clone: maps, sets, dates, bytes, cycles and shared references", () => {
    const shared = { n: 1 };
    const value: Record<string, unknown> = {
      text: "héllo",
      big: 12345678901234567890n,
      when: new Date(86_400_000),
      pattern: /a+b/gi,
      map: new Map<unknown, unknown>([["k", shared], [1, [shared]]]),
      set: new Set([1, "two", shared]),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([0.5, -0, NaN]),
      nothing: undefined,
      hole: [1, , 3],
    };
    value.self = value;
    const copy = roundTrip(value);
    expect(copy).not.toBe(value);
    expect(copy.text).toBe("héllo");
    expect(copy.big).toBe(12345678901234567890n);
    expect((copy.when as Date).getTime()).toBe(86_400_000);
    expect(copy.pattern).toBeInstanceOf(RegExp);
    expect(String(copy.pattern)).toBe("/a+b/gi");
    const map = copy.map as Map<unknown, unknown>;
    expect(map.get("k")).toEqual({ n: 1 });
    expect((map.get(1) as unknown[])[0]).toBe(map.get("k")); // one copy of a shared object
    expect([...(copy.set as Set<unknown>)].slice(0, 2)).toEqual([1, "two"]);
    expect([...(copy.bytes as Uint8Array)]).toEqual([1, 2, 3]);
    expect(Object.is((copy.floats as Float64Array)[1], -0)).toBe(true);
    expect("nothing" in copy).toBe(true);
    // The one difference from structuredClone: a hole arrives as undefined (docs/api/thread.md).
    expect(copy.hole).toEqual([1, undefined, 3]);
    expect(copy.self).toBe(copy);
  });

  test("rule 16: errors arrive as errors of their kind, with message, stack and cause", () => {
    const cause = new RangeError("inner");
    const error = new TypeError("outer", { cause });
    const copy = roundTrip({ error, again: error, dom: new DOMException("gone", "AbortError") });
    expect(copy.error).toBeInstanceOf(TypeError);
    expect(copy.error.message).toBe("outer");
    expect(copy.error.stack).toBe(error.stack);
    expect(copy.error.cause).toBeInstanceOf(RangeError);
    expect((copy.error.cause as Error).message).toBe("inner");
    expect(copy.again).toBe(copy.error);
    expect(copy.dom).toBeInstanceOf(DOMException);
    expect([copy.dom.name, copy.dom.message]).toEqual(["AbortError", "gone"]);
    expect(roundTrip(new Error("alone")).message).toBe("alone");
  });

  test("rule 16: what cannot be cloned throws DataCloneError and sends nothing", () => {
    for (const value of [() => 1, { f() {} }, Symbol("s"), [Symbol.iterator]]) {
      let thrown: unknown;
      try {
        send(0, value);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(DOMException);
      expect((thrown as DOMException).name).toBe("DataCloneError");
    }
    send(0, "after");
    expect(recv().message).toBe("after");
  });

  test("rule 16: transferred ArrayBuffers are detached from the sender", () => {
    const buffer = new Uint8Array([9, 8, 7]).buffer;
    send(0, buffer, { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    expect([...new Uint8Array(recv().message as ArrayBuffer)]).toEqual([9, 8, 7]);
  });

  test("rule 16: an id out of range throws a RangeError", () => {
    for (const id of [1, -1, 0.5, NaN]) {
      expect(() => send(id, "x")).toThrow(RangeError);
    }
    expect(() => send("0" as unknown as number, "x")).toThrow(TypeError);
  });

  test("rule 16: recv in a cancelled fiber throws Cancelled", () => {
    const waiting = spawn(() => recv());
    sleep(5);
    waiting.cancel();
    expect(() => waiting.join()).toThrow(Cancelled);
    send(0, "still works");
    expect(recv().message).toBe("still works");
  });

  test("a fiber waiting in recv gets a message sent later by another fiber", () => {
    const waiting = spawn(() => recv().message);
    sleep(5);
    send(0, { late: true });
    expect(waiting.join()).toEqual({ late: true });
  });

  test("broadcast reaches every other thread: with one thread, nobody", () => {
    broadcast("to nobody");
    send(0, "mine");
    expect(recv().message).toBe("mine");
  });
});
