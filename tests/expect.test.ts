// The matchers of `uringy:test`'s `expect`: for each behaviour, a case that passes and one that
// fails (a failing expectation throws an AssertionError, which the outer expect catches).

import { test, expect, describe } from "uringy:test";
import { AssertionError } from "uringy:internal/expect";

/** The message of the AssertionError that `fn` throws. */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AssertionError) return e.message;
    throw e;
  }
  throw new Error("expected an AssertionError, but nothing was thrown");
}

class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}

describe("AssertionError", () => {
  test("is an Error named AssertionError with actual, expected and matcherName", () => {
    let caught: unknown;
    try {
      expect(4).toBe(3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AssertionError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as AssertionError;
    expect(error.name).toBe("AssertionError");
    expect(error.actual).toBe(4);
    expect(error.expected).toBe(3);
    expect(error.matcherName).toBe("toBe");
  });

  test("message names the matcher and shows both values", () => {
    expect(failure(() => expect(4).toBe(3))).toBe("expect(received).toBe(expected)\n\nExpected: 3\nReceived: 4");
  });

  test("message under .not says not", () => {
    expect(failure(() => expect(3).not.toBe(3))).toBe("expect(received).not.toBe(expected)\n\nExpected: not 3");
  });

  test("instanceof also recognises instances of a subclass, and not other errors", () => {
    class Sub extends AssertionError {}
    expect(new Sub("x")).toBeInstanceOf(AssertionError);
    expect(new Sub("x")).toBeInstanceOf(Sub);
    expect(new AssertionError("x")).not.toBeInstanceOf(Sub);
    expect(new Error("x")).not.toBeInstanceOf(AssertionError);
  });

  test("details do not show up as enumerable properties", () => {
    expect(Object.keys(new AssertionError("x", { actual: 1, expected: 2, matcherName: "toBe" }))).toEqual([]);
  });

  test("stack starts at the caller, not inside expect", () => {
    let stack = "";
    try {
      expect(1).toBe(2);
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/expect\.test\.[tj]s/);
    const firstFrame = stack.split("\n").find((line) => /^\s+at /.test(line)) ?? "";
    expect(firstFrame).not.toMatch(/internal[\\/]expect\.[tj]s/);
  });
});

describe("toBe", () => {
  test("passes for the same primitive", () => {
    expect(1).toBe(1);
    expect("a").toBe("a");
    expect(null).toBe(null);
    expect(undefined).toBe(undefined);
    expect(10n).toBe(10n);
  });

  test("uses Object.is: NaN is NaN, 0 is not -0", () => {
    expect(NaN).toBe(NaN);
    expect(() => expect(0).toBe(-0)).toThrow(AssertionError);
  });

  test("passes for the same object", () => {
    const o = { a: 1 };
    expect(o).toBe(o);
  });

  test("fails for different values", () => {
    expect(() => expect(1).toBe(2)).toThrow(AssertionError);
    expect(() => expect("1").toBe(1)).toThrow(AssertionError);
  });

  test("fails for equal but distinct objects, and suggests toStrictEqual", () => {
    expect(() => expect({ a: 1 }).toBe({ a: 1 })).toThrow(AssertionError);
    expect(failure(() => expect({ a: 1 }).toBe({ a: 1 }))).toContain(`replace "toBe" with "toStrictEqual"`);
  });

  test(".not inverts", () => {
    expect(1).not.toBe(2);
    expect(() => expect(1).not.toBe(1)).toThrow(AssertionError);
  });
});

describe("toEqual", () => {
  test("compares objects and arrays recursively", () => {
    expect({ a: 1, b: { c: [1, 2, { d: "x" }] } }).toEqual({ a: 1, b: { c: [1, 2, { d: "x" }] } });
    expect(() => expect({ a: 1, b: { c: [1, 2] } }).toEqual({ a: 1, b: { c: [1, 3] } })).toThrow(AssertionError);
  });

  test("ignores property order", () => {
    expect({ a: 1, b: 2 }).toEqual({ b: 2, a: 1 });
  });

  test("fails on a missing or extra property", () => {
    expect(() => expect({ a: 1 }).toEqual({ a: 1, b: 2 })).toThrow(AssertionError);
    expect(() => expect({ a: 1, b: 2 }).toEqual({ a: 1 })).toThrow(AssertionError);
  });

  test("ignores properties that hold undefined", () => {
    expect({ a: 1, b: undefined }).toEqual({ a: 1 });
    expect({ a: 1 }).toEqual({ a: 1, b: undefined });
  });

  test("treats array holes as undefined", () => {
    expect([, 1]).toEqual([undefined, 1]);
  });

  test("fails on arrays of different length", () => {
    expect(() => expect([1, 2]).toEqual([1, 2, 3])).toThrow(AssertionError);
  });

  test("does not compare classes", () => {
    expect(new Point(1, 2)).toEqual({ x: 1, y: 2 });
  });

  test("distinguishes arrays from objects", () => {
    expect(() => expect([1]).toEqual({ 0: 1 })).toThrow(AssertionError);
  });

  test("compares primitives with Object.is", () => {
    expect(NaN).toEqual(NaN);
    expect(() => expect(0).toEqual(-0)).toThrow(AssertionError);
    expect(() => expect(1).toEqual("1")).toThrow(AssertionError);
  });

  test("compares Maps by content, in any order", () => {
    expect(new Map<unknown, unknown>([["a", 1], ["b", { c: 2 }]])).toEqual(new Map<unknown, unknown>([["b", { c: 2 }], ["a", 1]]));
    expect(new Map([[{ k: 1 }, "v"]])).toEqual(new Map([[{ k: 1 }, "v"]]));
    expect(() => expect(new Map([["a", 1]])).toEqual(new Map([["a", 2]]))).toThrow(AssertionError);
    expect(() => expect(new Map([["a", 1]])).toEqual(new Map([["b", 1]]))).toThrow(AssertionError);
  });

  test("compares Sets by content, in any order", () => {
    expect(new Set([1, 2, { a: 3 }])).toEqual(new Set([{ a: 3 }, 2, 1]));
    expect(() => expect(new Set([1, 2])).toEqual(new Set([1, 3]))).toThrow(AssertionError);
    expect(() => expect(new Set([1])).toEqual(new Set([1, 2]))).toThrow(AssertionError);
  });

  test("compares Dates by time", () => {
    expect(new Date(1000)).toEqual(new Date(1000));
    expect(() => expect(new Date(1000)).toEqual(new Date(2000))).toThrow(AssertionError);
  });

  test("compares RegExps by source and flags", () => {
    expect(/a+/g).toEqual(/a+/g);
    expect(() => expect(/a+/g).toEqual(/a+/i)).toThrow(AssertionError);
    expect(() => expect(/a+/).toEqual(/b+/)).toThrow(AssertionError);
  });

  test("compares typed arrays by type and content", () => {
    expect(new Uint8Array([1, 2, 3])).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => expect(new Uint8Array([1, 2, 3])).toEqual(new Uint8Array([1, 2, 4]))).toThrow(AssertionError);
    expect(() => expect(new Uint8Array([1, 2])).toEqual(new Int8Array([1, 2]))).toThrow(AssertionError);
  });

  test("compares ArrayBuffers and DataViews by bytes", () => {
    expect(new Uint8Array([1, 2]).buffer).toEqual(new Uint8Array([1, 2]).buffer);
    expect(() => expect(new Uint8Array([1, 2]).buffer).toEqual(new Uint8Array([1, 3]).buffer)).toThrow(AssertionError);
    expect(new DataView(new Uint8Array([5, 6]).buffer)).toEqual(new DataView(new Uint8Array([5, 6]).buffer));
  });

  test("compares Errors by name and message", () => {
    expect(new Error("boom")).toEqual(new Error("boom"));
    expect(() => expect(new Error("boom")).toEqual(new Error("bang"))).toThrow(AssertionError);
    expect(() => expect(new TypeError("boom")).toEqual(new RangeError("boom"))).toThrow(AssertionError);
  });

  test("compares boxed primitives by value", () => {
    expect(Object(1)).toEqual(Object(1));
    expect(() => expect(Object("a")).toEqual(Object("b"))).toThrow(AssertionError);
  });

  test("compares symbol-keyed properties", () => {
    const key = Symbol("key");
    expect({ [key]: 1 }).toEqual({ [key]: 1 });
    expect(() => expect({ [key]: 1 }).toEqual({ [key]: 2 })).toThrow(AssertionError);
  });

  test("handles cycles", () => {
    const a: Record<string, unknown> = { name: "a" };
    a["self"] = a;
    const b: Record<string, unknown> = { name: "a" };
    b["self"] = b;
    expect(a).toEqual(b);
    const c: Record<string, unknown> = { name: "c" };
    c["self"] = c;
    expect(() => expect(a).toEqual(c)).toThrow(AssertionError);
  });

  test("compares functions by identity", () => {
    const f = () => 1;
    expect({ f }).toEqual({ f });
    expect(() => expect({ f }).toEqual({ f: () => 1 })).toThrow(AssertionError);
  });

  test("failure on objects shows a line diff", () => {
    const message = failure(() => expect({ a: 1, b: [1, 2] }).toEqual({ a: 1, b: [1, 3] }));
    expect(message).toMatch(/^expect\(received\)\.toEqual\(expected\)\n/);
    expect(message).toContain("- Expected");
    expect(message).toContain("+ Received");
    expect(message).toMatch(/^- +3,?$/m);
    expect(message).toMatch(/^\+ +2,?$/m);
  });

  test(".not inverts", () => {
    expect({ a: 1 }).not.toEqual({ a: 2 });
    expect(() => expect({ a: 1 }).not.toEqual({ a: 1 })).toThrow(AssertionError);
  });
});

describe("toStrictEqual", () => {
  test("passes for deeply equal values of the same classes", () => {
    expect({ a: [1, { b: new Point(1, 2) }] }).toStrictEqual({ a: [1, { b: new Point(1, 2) }] });
  });

  test("counts properties that hold undefined", () => {
    expect(() => expect({ a: 1, b: undefined }).toStrictEqual({ a: 1 })).toThrow(AssertionError);
    expect({ a: 1, b: undefined }).toStrictEqual({ a: 1, b: undefined });
  });

  test("counts array holes", () => {
    expect(() => expect([, 1]).toStrictEqual([undefined, 1])).toThrow(AssertionError);
    expect([, 1]).toStrictEqual([, 1]);
  });

  test("compares classes", () => {
    expect(() => expect(new Point(1, 2)).toStrictEqual({ x: 1, y: 2 })).toThrow(AssertionError);
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(() => expect(bare).toStrictEqual({ a: 1 })).toThrow(AssertionError);
  });

  test("compares error classes", () => {
    class MyError extends Error {}
    expect(() => expect(new MyError("x")).toStrictEqual(new Error("x"))).toThrow(AssertionError);
    expect(new MyError("x")).toStrictEqual(new MyError("x"));
  });

  test("failure message says when toEqual would pass", () => {
    expect(failure(() => expect(new Point(1, 2)).toStrictEqual({ x: 1, y: 2 }))).toContain("toEqual");
  });

  test(".not inverts", () => {
    expect({ a: undefined }).not.toStrictEqual({});
    expect(() => expect({ a: 1 }).not.toStrictEqual({ a: 1 })).toThrow(AssertionError);
  });
});

describe("truthiness and nullish matchers", () => {
  test("toBeTruthy", () => {
    expect(1).toBeTruthy();
    expect("x").toBeTruthy();
    expect({}).toBeTruthy();
    expect(() => expect(0).toBeTruthy()).toThrow(AssertionError);
    expect(() => expect("").toBeTruthy()).toThrow(AssertionError);
    expect(0).not.toBeTruthy();
  });

  test("toBeFalsy", () => {
    expect(0).toBeFalsy();
    expect("").toBeFalsy();
    expect(null).toBeFalsy();
    expect(NaN).toBeFalsy();
    expect(() => expect(1).toBeFalsy()).toThrow(AssertionError);
    expect(() => expect(0).not.toBeFalsy()).toThrow(AssertionError);
  });

  test("toBeNull", () => {
    expect(null).toBeNull();
    expect(() => expect(undefined).toBeNull()).toThrow(AssertionError);
    expect(undefined).not.toBeNull();
    expect(() => expect(null).not.toBeNull()).toThrow(AssertionError);
  });

  test("toBeUndefined", () => {
    expect(undefined).toBeUndefined();
    expect(() => expect(null).toBeUndefined()).toThrow(AssertionError);
    expect(null).not.toBeUndefined();
  });

  test("toBeDefined", () => {
    expect(null).toBeDefined();
    expect(0).toBeDefined();
    expect(() => expect(undefined).toBeDefined()).toThrow(AssertionError);
    expect(undefined).not.toBeDefined();
  });

  test("toBeNaN", () => {
    expect(NaN).toBeNaN();
    expect(0 / 0).toBeNaN();
    expect(() => expect(1).toBeNaN()).toThrow(AssertionError);
    expect(() => expect("NaN").toBeNaN()).toThrow(AssertionError);
    expect(1).not.toBeNaN();
  });

  test("messages show the received value", () => {
    expect(failure(() => expect(0).toBeTruthy())).toBe("expect(received).toBeTruthy()\n\nReceived: 0");
  });
});

describe("number comparisons", () => {
  test("toBeGreaterThan", () => {
    expect(2).toBeGreaterThan(1);
    expect(() => expect(1).toBeGreaterThan(1)).toThrow(AssertionError);
    expect(1).not.toBeGreaterThan(1);
  });

  test("toBeGreaterThanOrEqual", () => {
    expect(1).toBeGreaterThanOrEqual(1);
    expect(() => expect(0).toBeGreaterThanOrEqual(1)).toThrow(AssertionError);
  });

  test("toBeLessThan", () => {
    expect(1).toBeLessThan(2);
    expect(() => expect(2).toBeLessThan(2)).toThrow(AssertionError);
  });

  test("toBeLessThanOrEqual", () => {
    expect(2).toBeLessThanOrEqual(2);
    expect(() => expect(3).toBeLessThanOrEqual(2)).toThrow(AssertionError);
  });

  test("take bigints", () => {
    expect(10n).toBeGreaterThan(9n);
    expect(10n).toBeLessThan(11);
    expect(() => expect(10n).toBeLessThan(10n)).toThrow(AssertionError);
  });

  test("NaN compares false", () => {
    expect(() => expect(NaN).toBeGreaterThan(0)).toThrow(AssertionError);
    expect(NaN).not.toBeLessThanOrEqual(0);
  });

  test("reject non-numbers, even under .not", () => {
    expect(() => expect("2" as unknown as number).toBeGreaterThan(1)).toThrow(/must be a number or bigint/);
    expect(() => expect("2" as unknown as number).not.toBeGreaterThan(1)).toThrow(AssertionError);
  });

  test("message shows the comparison", () => {
    expect(failure(() => expect(3).toBeGreaterThan(5))).toMatch(/Expected: > 5\nReceived: +3/);
  });
});

describe("toBeCloseTo", () => {
  test("uses 2 digits by default", () => {
    expect(0.1 + 0.2).toBeCloseTo(0.3);
    expect(0.301).toBeCloseTo(0.3);
    expect(() => expect(0.31).toBeCloseTo(0.3)).toThrow(AssertionError);
  });

  test("takes the number of digits", () => {
    expect(0.31).toBeCloseTo(0.3, 1);
    expect(() => expect(0.3001).toBeCloseTo(0.3, 5)).toThrow(AssertionError);
    expect(1234).toBeCloseTo(1000, -3);
  });

  test("matches infinities of the same sign", () => {
    expect(Infinity).toBeCloseTo(Infinity);
    expect(-Infinity).toBeCloseTo(-Infinity);
    expect(() => expect(Infinity).toBeCloseTo(-Infinity)).toThrow(AssertionError);
  });

  test("rejects non-numbers", () => {
    expect(() => expect("0.3" as unknown as number).toBeCloseTo(0.3)).toThrow(/must be a number/);
  });

  test(".not inverts", () => {
    expect(0.4).not.toBeCloseTo(0.3);
    expect(() => expect(0.3).not.toBeCloseTo(0.3)).toThrow(AssertionError);
  });
});

describe("toContain", () => {
  test("finds a substring", () => {
    expect("hello world").toContain("o w");
    expect(() => expect("hello").toContain("x")).toThrow(AssertionError);
  });

  test("finds an array item by ===", () => {
    const item = { a: 1 };
    expect([1, "2", item]).toContain(item);
    expect([1, "2"]).toContain("2");
    expect(() => expect([1, 2]).toContain("2")).toThrow(AssertionError);
    expect(() => expect([{ a: 1 }]).toContain({ a: 1 })).toThrow(AssertionError);
  });

  test("finds an item of a Set, a typed array or any iterable", () => {
    expect(new Set(["a", "b"])).toContain("b");
    expect(new Uint8Array([1, 2, 3])).toContain(3);
    function* numbers() {
      yield 1;
      yield 2;
    }
    expect(numbers()).toContain(2);
    expect(() => expect(new Set(["a"])).toContain("b")).toThrow(AssertionError);
  });

  test("rejects values that are not strings or iterables", () => {
    expect(() => expect(null).toContain(1)).toThrow(/must not be null nor undefined/);
    expect(() => expect(5).toContain(1)).toThrow(AssertionError);
    expect(() => expect("abc").toContain(1)).toThrow(/must be a string/);
  });

  test(".not inverts", () => {
    expect([1, 2]).not.toContain(3);
    expect("abc").not.toContain("d");
    expect(() => expect([1, 2]).not.toContain(2)).toThrow(AssertionError);
  });
});

describe("toContainEqual", () => {
  test("finds an item by deep equality", () => {
    expect([{ a: 1 }, { b: 2 }]).toContainEqual({ b: 2 });
    expect(new Set([[1, 2]])).toContainEqual([1, 2]);
    expect(() => expect([{ a: 1 }]).toContainEqual({ a: 2 })).toThrow(AssertionError);
  });

  test(".not inverts", () => {
    expect([{ a: 1 }]).not.toContainEqual({ a: 2 });
    expect(() => expect([{ a: 1 }]).not.toContainEqual({ a: 1 })).toThrow(AssertionError);
  });
});

describe("toHaveLength", () => {
  test("checks .length of arrays, strings and other objects", () => {
    expect([1, 2, 3]).toHaveLength(3);
    expect("abcd").toHaveLength(4);
    expect({ length: 2 }).toHaveLength(2);
    expect((a: number, b: number) => a + b).toHaveLength(2);
    expect(() => expect([1]).toHaveLength(2)).toThrow(AssertionError);
  });

  test("message shows both lengths", () => {
    expect(failure(() => expect([1, 2]).toHaveLength(3))).toMatch(/Expected length: 3\nReceived length: 2/);
  });

  test("rejects values without a numeric length", () => {
    expect(() => expect({}).toHaveLength(0)).toThrow(/length property/);
    expect(() => expect(null).toHaveLength(0)).toThrow(AssertionError);
    expect(() => expect([]).toHaveLength(-1)).toThrow(/non-negative integer/);
  });

  test(".not inverts", () => {
    expect([1]).not.toHaveLength(2);
    expect(() => expect([1]).not.toHaveLength(1)).toThrow(AssertionError);
  });
});

describe("toHaveProperty", () => {
  const value = {
    a: { b: { c: 1 } },
    list: [{ name: "x" }, { name: "y" }],
    "dotted.key": true,
    nothing: undefined,
    zero: 0,
  };

  test("follows a dotted path", () => {
    expect(value).toHaveProperty("a");
    expect(value).toHaveProperty("a.b.c");
    expect(() => expect(value).toHaveProperty("a.b.d")).toThrow(AssertionError);
    expect(() => expect(value).toHaveProperty("x.y")).toThrow(AssertionError);
  });

  test("follows array indices, in brackets or as keys", () => {
    expect(value).toHaveProperty("list[1].name", "y");
    expect(value).toHaveProperty("list.0.name", "x");
    expect(() => expect(value).toHaveProperty("list[2]")).toThrow(AssertionError);
  });

  test("takes the path as an array of keys", () => {
    expect(value).toHaveProperty(["dotted.key"]);
    expect(value).toHaveProperty(["list", 0, "name"], "x");
    expect(() => expect(value).toHaveProperty("dotted.key")).toThrow(AssertionError);
  });

  test("compares the value by deep equality", () => {
    expect(value).toHaveProperty("a.b", { c: 1 });
    expect(value).toHaveProperty("zero", 0);
    expect(() => expect(value).toHaveProperty("a.b", { c: 2 })).toThrow(AssertionError);
  });

  test("counts a property that holds undefined as present", () => {
    expect(value).toHaveProperty("nothing");
    expect(value).toHaveProperty("nothing", undefined);
    expect(() => expect(value).toHaveProperty("zero", undefined)).toThrow(AssertionError);
  });

  test("finds inherited properties and getters, and properties of primitives", () => {
    class Box {
      get size() {
        return 3;
      }
    }
    expect(new Box()).toHaveProperty("size", 3);
    expect("abc").toHaveProperty("length", 3);
  });

  test("message shows how far the path went", () => {
    expect(failure(() => expect(value).toHaveProperty("a.x.y"))).toMatch(/Expected path: '?"?a\.x\.y'?"?\nReceived path: '?"?a'?"?/);
  });

  test("rejects null, undefined and empty paths", () => {
    expect(() => expect(null).toHaveProperty("a")).toThrow(/must not be null nor undefined/);
    expect(() => expect({}).toHaveProperty("")).toThrow(/must not be an empty/);
    expect(() => expect({}).toHaveProperty([])).toThrow(/must not be an empty/);
  });

  test(".not inverts", () => {
    expect(value).not.toHaveProperty("a.z");
    expect(value).not.toHaveProperty("a.b.c", 2);
    expect(() => expect(value).not.toHaveProperty("a.b.c")).toThrow(AssertionError);
    expect(() => expect(value).not.toHaveProperty("a.b.c", 1)).toThrow(AssertionError);
  });
});

describe("toMatch", () => {
  test("matches a RegExp", () => {
    expect("hello world").toMatch(/wor/);
    expect("hello").toMatch(/^h.*o$/);
    expect(() => expect("hello").toMatch(/^world/)).toThrow(AssertionError);
  });

  test("matches a substring", () => {
    expect("hello world").toMatch("lo w");
    expect(() => expect("hello").toMatch("world")).toThrow(AssertionError);
  });

  test("is not affected by a global RegExp's lastIndex", () => {
    const re = /o/g;
    expect("foo").toMatch(re);
    expect("foo").toMatch(re);
    expect("foo").toMatch(re);
  });

  test("rejects non-strings", () => {
    expect(() => expect(1).toMatch(/1/)).toThrow(/must be a string/);
  });

  test(".not inverts", () => {
    expect("abc").not.toMatch(/d/);
    expect(() => expect("abc").not.toMatch("b")).toThrow(AssertionError);
  });
});

describe("toMatchObject", () => {
  const user = { id: 1, name: "ada", address: { city: "London", zip: "N1" }, tags: ["a", "b"] };

  test("passes for a subset of the properties", () => {
    expect(user).toMatchObject({ name: "ada" });
    expect(user).toMatchObject({ address: { city: "London" } });
    expect(user).toMatchObject({});
  });

  test("fails on a missing property or a different value", () => {
    expect(() => expect(user).toMatchObject({ email: "x" })).toThrow(AssertionError);
    expect(() => expect(user).toMatchObject({ address: { city: "Paris" } })).toThrow(AssertionError);
  });

  test("compares arrays item by item, with the same length", () => {
    expect(user).toMatchObject({ tags: ["a", "b"] });
    expect(() => expect(user).toMatchObject({ tags: ["a"] })).toThrow(AssertionError);
    expect([{ a: 1, b: 2 }, { c: 3 }]).toMatchObject([{ a: 1 }, {}]);
  });

  test("works on class instances", () => {
    expect(new Point(1, 2)).toMatchObject({ x: 1 });
  });

  test("message diffs only the expected properties", () => {
    const message = failure(() => expect(user).toMatchObject({ address: { city: "Paris" } }));
    expect(message).toContain("- Expected");
    expect(message).not.toMatch(/^\+.*zip/m);
  });

  test("rejects non-objects", () => {
    expect(() => expect(1).toMatchObject({})).toThrow(/received value must be a non-null object/);
    expect(() => expect({}).toMatchObject(null as unknown as object)).toThrow(/expected value must be a non-null object/);
  });

  test(".not inverts", () => {
    expect(user).not.toMatchObject({ name: "bob" });
    expect(() => expect(user).not.toMatchObject({ name: "ada" })).toThrow(AssertionError);
  });
});

describe("toBeInstanceOf", () => {
  class Animal {}
  class Dog extends Animal {}

  test("passes for an instance of the class or a subclass", () => {
    expect(new Dog()).toBeInstanceOf(Dog);
    expect(new Dog()).toBeInstanceOf(Animal);
    expect([]).toBeInstanceOf(Array);
    expect(new TypeError("x")).toBeInstanceOf(Error);
  });

  test("fails otherwise", () => {
    expect(() => expect(new Animal()).toBeInstanceOf(Dog)).toThrow(AssertionError);
    expect(() => expect(1).toBeInstanceOf(Number)).toThrow(AssertionError);
    expect(failure(() => expect(new Animal()).toBeInstanceOf(Dog))).toMatch(/Expected constructor: Dog\nReceived constructor: Animal/);
  });

  test("rejects a non-function", () => {
    expect(() => expect({}).toBeInstanceOf({} as never)).toThrow(/must be a function/);
  });

  test(".not inverts", () => {
    expect(new Animal()).not.toBeInstanceOf(Dog);
    expect(() => expect(new Dog()).not.toBeInstanceOf(Animal)).toThrow(AssertionError);
  });
});

describe("toBeTypeOf", () => {
  test("compares typeof", () => {
    expect("s").toBeTypeOf("string");
    expect(1).toBeTypeOf("number");
    expect(1n).toBeTypeOf("bigint");
    expect(true).toBeTypeOf("boolean");
    expect(Symbol()).toBeTypeOf("symbol");
    expect(undefined).toBeTypeOf("undefined");
    expect(null).toBeTypeOf("object");
    expect(() => {}).toBeTypeOf("function");
    expect(() => expect(1).toBeTypeOf("string")).toThrow(AssertionError);
  });

  test("rejects an unknown type name", () => {
    expect(() => expect(1).toBeTypeOf("array" as "object")).toThrow(/must be one of/);
  });

  test(".not inverts", () => {
    expect(1).not.toBeTypeOf("string");
    expect(() => expect(1).not.toBeTypeOf("number")).toThrow(AssertionError);
  });
});

describe("toThrow", () => {
  const boom = () => {
    throw new TypeError("something went boom");
  };

  test("with no argument: passes if the function throws anything", () => {
    expect(boom).toThrow();
    expect(() => {
      throw "a string";
    }).toThrow();
    expect(() => expect(() => {}).toThrow()).toThrow(AssertionError);
    expect(failure(() => expect(() => {}).toThrow())).toContain("Received function did not throw");
  });

  test("with a string: a substring of the message", () => {
    expect(boom).toThrow("went boom");
    expect(() => expect(boom).toThrow("bang")).toThrow(AssertionError);
  });

  test("with a RegExp: matches the message", () => {
    expect(boom).toThrow(/^something/);
    expect(() => expect(boom).toThrow(/^bang/)).toThrow(AssertionError);
  });

  test("with a class: an instance of it", () => {
    expect(boom).toThrow(TypeError);
    expect(boom).toThrow(Error);
    expect(() => expect(boom).toThrow(RangeError)).toThrow(AssertionError);
  });

  test("with an error: the same message", () => {
    expect(boom).toThrow(new Error("something went boom"));
    expect(() => expect(boom).toThrow(new Error("something"))).toThrow(AssertionError);
  });

  test("matches thrown non-errors by their string", () => {
    expect(() => {
      throw "plain string";
    }).toThrow("plain");
  });

  test("fails when the function does not throw, whatever the argument", () => {
    expect(() => expect(() => 1).toThrow("x")).toThrow(AssertionError);
    expect(() => expect(() => 1).toThrow(Error)).toThrow(AssertionError);
  });

  test("points at .rejects when the function returned a promise", () => {
    expect(failure(() => expect(async () => {}).toThrow())).toContain("rejects");
  });

  test("rejects a received value that is not a function", () => {
    expect(() => expect(1).toThrow()).toThrow(/must be a function/);
  });

  test("toThrowError is the same matcher", () => {
    expect(boom).toThrowError(TypeError);
    expect(() => expect(() => {}).toThrowError()).toThrow(AssertionError);
  });

  test(".not inverts", () => {
    expect(() => {}).not.toThrow();
    expect(boom).not.toThrow("bang");
    expect(boom).not.toThrow(RangeError);
    expect(() => expect(boom).not.toThrow()).toThrow(AssertionError);
    expect(() => expect(boom).not.toThrow(TypeError)).toThrow(AssertionError);
  });
});

describe("resolves and rejects", () => {
  test("resolves: matches the fulfilled value", async () => {
    await expect(Promise.resolve(3)).resolves.toBe(3);
    await expect(Promise.resolve({ a: 1 })).resolves.toEqual({ a: 1 });
    await expect(expect(Promise.resolve(3)).resolves.toBe(4)).rejects.toThrow(AssertionError);
  });

  test("resolves: fails when the promise rejects", async () => {
    await expect(expect(Promise.reject(new Error("no"))).resolves.toBeDefined()).rejects.toThrow(/rejected instead of resolved/);
  });

  test("rejects: matches the rejection reason", async () => {
    await expect(Promise.reject(new Error("no"))).rejects.toThrow("no");
    await expect(Promise.reject(new RangeError("no"))).rejects.toThrow(RangeError);
    await expect(Promise.reject(42)).rejects.toBe(42);
    await expect(expect(Promise.reject(new Error("no"))).rejects.toThrow("yes")).rejects.toThrow(AssertionError);
  });

  test("rejects: fails when the promise resolves", async () => {
    await expect(expect(Promise.resolve(1)).rejects.toThrow()).rejects.toThrow(/resolved instead of rejected/);
  });

  test("take a function returning a promise", async () => {
    await expect(async () => 5).resolves.toBe(5);
    await expect(async () => {
      throw new Error("x");
    }).rejects.toThrow("x");
  });

  test("reject a value that is not a promise", async () => {
    await expect(expect(5).resolves.toBe(5)).rejects.toThrow(/must be a promise/);
  });

  test(".not inverts after resolves/rejects", async () => {
    await expect(Promise.resolve(3)).resolves.not.toBe(4);
    await expect(Promise.reject(new Error("no"))).rejects.not.toThrow(TypeError);
    await expect(expect(Promise.resolve(3)).resolves.not.toBe(3)).rejects.toThrow(AssertionError);
  });

  test("failure message names resolves/rejects", async () => {
    let message = "";
    try {
      await expect(Promise.resolve(3)).resolves.toBe(4);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("expect(received).resolves.toBe(expected)\n\nExpected: 4\nReceived: 3");
  });
});

describe("asymmetric matchers", () => {
  test("expect.anything", () => {
    expect({ a: 0 }).toEqual({ a: expect.anything() });
    expect(() => expect({ a: null }).toEqual({ a: expect.anything() })).toThrow(AssertionError);
  });

  test("expect.any", () => {
    expect({ n: 1, s: "s", d: new Date(), f: () => {} }).toEqual({
      n: expect.any(Number),
      s: expect.any(String),
      d: expect.any(Date),
      f: expect.any(Function),
    });
    expect(() => expect({ n: "1" }).toEqual({ n: expect.any(Number) })).toThrow(AssertionError);
  });

  test("expect.stringContaining and expect.stringMatching", () => {
    expect({ s: "hello" }).toEqual({ s: expect.stringContaining("ell") });
    expect(["hello"]).toEqual([expect.stringMatching(/^h/)]);
    expect(() => expect("hello").toEqual(expect.stringContaining("x"))).toThrow(AssertionError);
  });

  test("expect.objectContaining and expect.arrayContaining", () => {
    expect({ a: 1, b: 2 }).toEqual(expect.objectContaining({ a: 1 }));
    expect([1, 2, 3]).toEqual(expect.arrayContaining([3, 1]));
    expect(() => expect([1, 2]).toEqual(expect.arrayContaining([4]))).toThrow(AssertionError);
  });

  test("expect.closeTo", () => {
    expect({ x: 0.1 + 0.2 }).toEqual({ x: expect.closeTo(0.3, 5) });
    expect(() => expect(0.5).toEqual(expect.closeTo(0.3))).toThrow(AssertionError);
  });

  test("expect.not.*", () => {
    expect("hello").toEqual(expect.not.stringContaining("x"));
    expect([1, 2]).toEqual(expect.not.arrayContaining([3]));
    expect(() => expect("hello").toEqual(expect.not.stringContaining("ell"))).toThrow(AssertionError);
  });

  test("work inside toThrow and toHaveProperty", () => {
    expect(() => {
      throw new Error("x");
    }).toThrow(expect.objectContaining({ message: "x" }));
    expect({ a: { b: 1 } }).toHaveProperty("a.b", expect.any(Number));
  });
});

describe("expect.extend", () => {
  expect.extend({
    toBeEven(received: unknown) {
      const pass = typeof received === "number" && received % 2 === 0;
      return {
        pass,
        message: () => `${this.utils.matcherHint("toBeEven", "")}\n\nReceived: ${this.utils.format(received)}`,
      };
    },
  });
  type WithEven = { toBeEven(): void; not: { toBeEven(): void } };

  test("adds a matcher", () => {
    (expect(4) as unknown as WithEven).toBeEven();
    expect(() => (expect(3) as unknown as WithEven).toBeEven()).toThrow(AssertionError);
    expect(failure(() => (expect(3) as unknown as WithEven).toBeEven())).toBe("expect(received).toBeEven()\n\nReceived: 3");
  });

  test("the new matcher works with .not", () => {
    (expect(3) as unknown as WithEven).not.toBeEven();
    expect(() => (expect(4) as unknown as WithEven).not.toBeEven()).toThrow(AssertionError);
  });
});
