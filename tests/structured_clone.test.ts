// structuredClone(): the HTML structured clone algorithm.

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";
import { structuredClone, registerPlatformClass } from "uringy:internal/structured_clone";
import { Event, EventTarget, AbortController } from "uringy:internal/events";

function expectDataCloneError(value: unknown): void {
  const error = thrown(() => structuredClone(value));
  expect(error).toBeInstanceOf(DOMException);
  expect(error.name).toBe("DataCloneError");
  expect(error.code).toBe(25);
}

describe("primitives", () => {
  test("primitives are returned as they are", () => {
    for (const value of [undefined, null, true, false, 0, 1.5, NaN, Infinity, "text", 10n]) {
      expect(structuredClone(value)).toBe(value);
    }
  });

  test("-0 stays -0", () => {
    expect(Object.is(structuredClone(-0), -0)).toBe(true);
  });

  test("symbols throw DataCloneError", () => {
    expectDataCloneError(Symbol("s"));
  });

  test("requires an argument", () => {
    expect(() => (structuredClone as () => unknown)()).toThrow(TypeError);
  });
});

describe("wrapper objects, dates and regular expressions", () => {
  test("Boolean, Number, String and BigInt wrappers are copied as wrappers", () => {
    const [b, n, s, big] = structuredClone([
      Object(false),
      Object(-0),
      Object("ab"),
      Object(5n),
    ]) as [Boolean, Number, String, object];
    expect(b).toBeInstanceOf(Boolean);
    expect(b.valueOf()).toBe(false);
    expect(n).toBeInstanceOf(Number);
    expect(Object.is(n.valueOf(), -0)).toBe(true);
    expect(s).toBeInstanceOf(String);
    expect(s.valueOf()).toBe("ab");
    expect(typeof big).toBe("object");
    expect((big as { valueOf(): bigint }).valueOf()).toBe(5n);
  });

  test("Symbol wrappers throw DataCloneError", () => {
    expectDataCloneError(Object(Symbol("s")));
  });

  test("a Date is copied with its time value", () => {
    const date = new Date(1_700_000_000_000);
    const copy = structuredClone(date);
    expect(copy).toBeInstanceOf(Date);
    expect(copy === date).toBe(false);
    expect(copy.getTime()).toBe(date.getTime());
  });

  test("an invalid Date stays invalid", () => {
    expect(Number.isNaN(structuredClone(new Date(NaN)).getTime())).toBe(true);
  });

  test("a RegExp keeps its source and flags", () => {
    const copy = structuredClone(/a(b)+c/gimsuy);
    expect(copy).toBeInstanceOf(RegExp);
    expect(copy.source).toBe("a(b)+c");
    expect(copy.flags).toBe("gimsuy");
  });

  test("a RegExp's lastIndex is reset to 0", () => {
    const regexp = /x/g;
    regexp.lastIndex = 3;
    expect(structuredClone(regexp).lastIndex).toBe(0);
  });

  test("extra properties of a Date are not copied", () => {
    const date = Object.assign(new Date(0), { note: "dropped" });
    expect((structuredClone(date) as Date & { note?: string }).note).toBe(undefined);
  });
});

describe("binary data", () => {
  test("an ArrayBuffer is copied, not shared", () => {
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    const copy = structuredClone(buffer);
    expect(copy === buffer).toBe(false);
    expect(Array.from(new Uint8Array(copy))).toEqual([1, 2, 3]);
    new Uint8Array(copy)[0] = 9;
    expect(new Uint8Array(buffer)[0]).toBe(1);
  });

  test("a resizable ArrayBuffer stays resizable with the same maximum", () => {
    const Resizable = ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer;
    const buffer = new Resizable(4, { maxByteLength: 16 }) as ArrayBuffer & {
      resizable: boolean;
      maxByteLength: number;
    };
    const copy = structuredClone(buffer);
    expect(copy.resizable).toBe(true);
    expect(copy.maxByteLength).toBe(16);
    expect(copy.byteLength).toBe(4);
  });

  test("a typed array keeps its type, offset, length and contents", () => {
    const buffer = new ArrayBuffer(16);
    const view = new Int16Array(buffer, 4, 3);
    view.set([1, -2, 3]);
    const copy = structuredClone(view);
    expect(copy).toBeInstanceOf(Int16Array);
    expect(copy.byteOffset).toBe(4);
    expect(copy.length).toBe(3);
    expect(copy.buffer.byteLength).toBe(16);
    expect(Array.from(copy)).toEqual([1, -2, 3]);
  });

  test("every typed array type is supported", () => {
    const arrays = [
      new Int8Array([-1]),
      new Uint8Array([1]),
      new Uint8ClampedArray([2]),
      new Int16Array([-3]),
      new Uint16Array([4]),
      new Int32Array([-5]),
      new Uint32Array([6]),
      new Float32Array([0.5]),
      new Float64Array([0.25]),
      new BigInt64Array([-7n]),
      new BigUint64Array([8n]),
    ];
    const copies = structuredClone(arrays);
    for (let i = 0; i < arrays.length; i++) {
      expect(copies[i].constructor).toBe(arrays[i].constructor);
      expect(copies[i][0]).toBe(arrays[i][0]);
    }
  });

  test("a DataView keeps its offset and length", () => {
    const view = new DataView(new ArrayBuffer(8), 2, 4);
    view.setUint16(0, 0xbeef);
    const copy = structuredClone(view);
    expect(copy).toBeInstanceOf(DataView);
    expect(copy.byteOffset).toBe(2);
    expect(copy.byteLength).toBe(4);
    expect(copy.getUint16(0)).toBe(0xbeef);
  });

  test("views that shared a buffer share one copied buffer", () => {
    const buffer = new ArrayBuffer(8);
    const original = { bytes: new Uint8Array(buffer), words: new Uint32Array(buffer), buffer };
    const copy = structuredClone(original);
    expect(copy.bytes.buffer).toBe(copy.words.buffer);
    expect(copy.buffer).toBe(copy.bytes.buffer);
    expect(copy.buffer === buffer).toBe(false);
    copy.words[0] = 0xffffffff;
    expect(copy.bytes[0]).toBe(0xff);
  });
});

describe("collections", () => {
  test("a Map is copied with cloned keys and values, in order", () => {
    const key = { k: 1 };
    const map = new Map<unknown, unknown>([
      [key, "object key"],
      ["b", { v: 2 }],
      [NaN, -0],
    ]);
    const copy = structuredClone(map);
    expect(copy).toBeInstanceOf(Map);
    expect(copy.size).toBe(3);
    const [[copiedKey, first], [secondKey, second], [nan, zero]] = [...copy];
    expect(copiedKey === key).toBe(false);
    expect(copiedKey).toEqual({ k: 1 });
    expect(first).toBe("object key");
    expect(secondKey).toBe("b");
    expect(second).toEqual({ v: 2 });
    expect(Number.isNaN(nan)).toBe(true);
    expect(Object.is(zero, -0)).toBe(true);
  });

  test("a Set is copied with cloned elements, in order", () => {
    const element = { e: 1 };
    const copy = structuredClone(new Set<unknown>([element, "x", 3]));
    expect(copy).toBeInstanceOf(Set);
    const [first, second, third] = [...copy];
    expect(first === element).toBe(false);
    expect(first).toEqual({ e: 1 });
    expect(second).toBe("x");
    expect(third).toBe(3);
  });

  test("an object used as both a Map key and a value is copied once", () => {
    const shared = {};
    const copy = structuredClone(new Map([[shared, shared]]));
    const [[key, value]] = [...copy];
    expect(key).toBe(value);
  });
});

describe("arrays and plain objects", () => {
  test("an array keeps its holes, length and extra properties", () => {
    const array: unknown[] & { extra?: string } = [1, , 3];
    array.length = 5;
    array.extra = "kept";
    const copy = structuredClone(array);
    expect(Array.isArray(copy)).toBe(true);
    expect(copy).toHaveLength(5);
    expect(1 in copy).toBe(false);
    expect(4 in copy).toBe(false);
    expect(copy[2]).toBe(3);
    expect(copy.extra).toBe("kept");
  });

  test("a sparse array stays sparse", () => {
    const array: number[] = [];
    array[100_000] = 1;
    const copy = structuredClone(array);
    expect(copy).toHaveLength(100_001);
    expect(Object.keys(copy)).toEqual(["100000"]);
  });

  test("a plain object is copied deeply", () => {
    const original = { a: 1, nested: { list: [1, { deep: true }] } };
    const copy = structuredClone(original);
    expect(copy).toStrictEqual(original);
    expect(copy.nested === original.nested).toBe(false);
    expect(copy.nested.list[1] === original.nested.list[1]).toBe(false);
  });

  test("only own enumerable string-keyed properties are copied", () => {
    const proto = { inherited: 1 };
    const original = Object.create(proto);
    original.own = 2;
    original[Symbol("s")] = 3;
    Object.defineProperty(original, "hidden", { value: 4, enumerable: false });
    const copy = structuredClone(original);
    expect(Object.keys(copy)).toEqual(["own"]);
    expect(Object.getOwnPropertyNames(copy)).toEqual(["own"]);
    expect(Object.getOwnPropertySymbols(copy)).toHaveLength(0);
  });

  test("getters are invoked and their values copied as data properties", () => {
    let calls = 0;
    const original = {
      get value() {
        calls++;
        return 42;
      },
    };
    const copy = structuredClone(original);
    expect(calls).toBe(1);
    const descriptor = Object.getOwnPropertyDescriptor(copy, "value")!;
    expect(descriptor.value).toBe(42);
    expect(descriptor.get).toBe(undefined);
  });

  test("a property deleted by an earlier getter is skipped", () => {
    const original: Record<string, unknown> = {
      get first() {
        delete original.second;
        return 1;
      },
      second: 2,
      third: 3,
    };
    expect(Object.keys(structuredClone(original))).toEqual(["first", "third"]);
  });

  test("the copy's prototype is Object.prototype, even for null-prototype objects", () => {
    const original = Object.assign(Object.create(null), { a: 1 });
    expect(Object.getPrototypeOf(structuredClone(original))).toBe(Object.prototype);
  });

  test("an own __proto__ property is copied as a property, not as the prototype", () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}}');
    const copy = structuredClone(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect(({} as { polluted?: boolean }).polluted).toBe(undefined);
  });

  test("class instances become plain objects with their own fields", () => {
    class Point {
      x = 1;
      #secret = 2;
      get sum() {
        return this.x + this.#secret;
      }
    }
    const copy = structuredClone(new Point());
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).toStrictEqual({ x: 1 } as unknown as Point);
  });

  test("a subclass of Map is copied as a plain Map", () => {
    class Registry extends Map<string, number> {}
    const copy = structuredClone(new Registry([["a", 1]]));
    expect(Object.getPrototypeOf(copy)).toBe(Map.prototype);
    expect(copy.get("a")).toBe(1);
  });

  test("getters run depth-first in property order", () => {
    const log: string[] = [];
    const original = {
      get a() {
        log.push("a");
        return {
          get inner() {
            log.push("inner");
            return 1;
          },
        };
      },
      get b() {
        log.push("b");
        return 2;
      },
    };
    structuredClone(original);
    expect(log).toEqual(["a", "inner", "b"]);
  });
});

describe("references", () => {
  test("a cycle is preserved", () => {
    const original: { self?: unknown } = {};
    original.self = original;
    const copy = structuredClone(original);
    expect(copy.self).toBe(copy);
    expect(copy === original).toBe(false);
  });

  test("a cycle through an array is preserved", () => {
    const array: unknown[] = [];
    array.push(array, { back: array });
    const copy = structuredClone(array);
    expect(copy[0]).toBe(copy);
    expect((copy[1] as { back: unknown }).back).toBe(copy);
  });

  test("an object referenced twice is copied once", () => {
    const shared = { s: 1 };
    const copy = structuredClone({ a: shared, b: [shared] });
    expect(copy.a).toBe(copy.b[0]);
  });

  test("very deep nesting does not overflow the stack", () => {
    const root: { next?: unknown } = {};
    let node = root;
    for (let i = 0; i < 20_000; i++) {
      const next = {};
      node.next = next;
      node = next;
    }
    let copy = structuredClone(root) as { next?: unknown };
    let depth = 0;
    while (copy.next) {
      copy = copy.next as { next?: unknown };
      depth++;
    }
    expect(depth).toBe(20_000);
  });
});

describe("errors", () => {
  test("each standard error type keeps its constructor and message", () => {
    const errors = [
      new Error("e"),
      new EvalError("ev"),
      new RangeError("r"),
      new ReferenceError("re"),
      new SyntaxError("s"),
      new TypeError("t"),
      new URIError("u"),
    ];
    const copies = structuredClone(errors);
    for (let i = 0; i < errors.length; i++) {
      expect(copies[i].constructor).toBe(errors[i].constructor);
      expect(copies[i].name).toBe(errors[i].name);
      expect(copies[i].message).toBe(errors[i].message);
      expect(copies[i] === errors[i]).toBe(false);
    }
  });

  test("an unknown error name becomes Error", () => {
    const error = new Error("m");
    error.name = "CustomError";
    const copy = structuredClone(error);
    expect(Object.getPrototypeOf(copy)).toBe(Error.prototype);
    expect(copy.name).toBe("Error");
    expect(copy.message).toBe("m");
  });

  test("an error subclass is copied as its standard base type", () => {
    class ValidationError extends TypeError {}
    const copy = structuredClone(new ValidationError("bad"));
    expect(Object.getPrototypeOf(copy)).toBe(TypeError.prototype);
    expect(copy.message).toBe("bad");
  });

  test("an error without a message gets no own message property", () => {
    expect(Object.hasOwn(structuredClone(new Error()), "message")).toBe(false);
  });

  test("the stack is kept", () => {
    const error = new Error("m");
    expect(structuredClone(error).stack).toBe(error.stack);
  });

  test("the cause is cloned, and may refer back to the error", () => {
    const error = new Error("outer", { cause: { detail: 1 } });
    const copy = structuredClone(error);
    expect(copy.cause).toEqual({ detail: 1 });
    const cyclic = new Error("self");
    cyclic.cause = cyclic;
    const cyclicCopy = structuredClone(cyclic);
    expect(cyclicCopy.cause).toBe(cyclicCopy);
  });

  test("other properties of an error are not copied", () => {
    const error = Object.assign(new Error("m"), { code: "E_CODE" });
    expect((structuredClone(error) as Error & { code?: string }).code).toBe(undefined);
  });

  test("a DOMException is copied as a DOMException", () => {
    const copy = structuredClone(new DOMException("stopped", "AbortError"));
    expect(copy).toBeInstanceOf(DOMException);
    expect(copy.name).toBe("AbortError");
    expect(copy.message).toBe("stopped");
    expect(copy.code).toBe(20);
  });
});

describe("values that cannot be cloned", () => {
  test("functions throw DataCloneError", () => {
    expectDataCloneError(() => {});
    expectDataCloneError(class {});
  });

  test("a function nested in an object throws DataCloneError", () => {
    expectDataCloneError({ data: 1, method() {} });
  });

  test("WeakMap and WeakSet throw DataCloneError", () => {
    expectDataCloneError(new WeakMap());
    expectDataCloneError(new WeakSet());
  });

  test("WeakRef throws DataCloneError", () => {
    expectDataCloneError(new WeakRef({}));
  });

  test("a Promise throws DataCloneError", () => {
    expectDataCloneError(Promise.resolve(1));
  });

  test("generators and iterators throw DataCloneError", () => {
    expectDataCloneError((function* () {})());
    expectDataCloneError(new Map().keys());
  });

  test("events, event targets and abort controllers throw DataCloneError", () => {
    expectDataCloneError(new Event("x"));
    expectDataCloneError(new EventTarget());
    const controller = new AbortController();
    expectDataCloneError(controller);
    expectDataCloneError(controller.signal);
  });

  test("a registered platform class without a clone function throws DataCloneError", () => {
    class Handle {
      fd = 3;
    }
    registerPlatformClass((value) => value instanceof Handle);
    expectDataCloneError(new Handle());
  });

  test("a registered platform class with a clone function is copied by it", () => {
    class Token {
      id: number;
      constructor(id: number) {
        this.id = id;
      }
    }
    registerPlatformClass(
      (value) => value instanceof Token,
      (value) => new Token((value as Token).id),
    );
    const copy = structuredClone({ token: new Token(7) });
    expect(copy.token).toBeInstanceOf(Token);
    expect(copy.token.id).toBe(7);
  });
});

describe("transfer", () => {
  const hasTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === "function";

  test("a transferred ArrayBuffer is detached and its data moves to the copy", () => {
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    const copy = structuredClone({ buffer, view: new Uint8Array(buffer, 1) }, { transfer: [buffer] });
    expect(Array.from(new Uint8Array(copy.buffer))).toEqual([1, 2, 3]);
    expect(copy.view.buffer).toBe(copy.buffer);
    if (hasTransfer) expect(buffer.byteLength).toBe(0);
  });

  test("a buffer may be transferred without being part of the value", () => {
    const buffer = new ArrayBuffer(4);
    expect(structuredClone("value", { transfer: [buffer] })).toBe("value");
    if (hasTransfer) expect(buffer.byteLength).toBe(0);
  });

  test("nothing is detached when cloning fails", () => {
    const buffer = new ArrayBuffer(4);
    expectDataCloneErrorWith(() => structuredClone({ f() {} }, { transfer: [buffer] }));
    expect(buffer.byteLength).toBe(4);
  });

  test("a buffer listed twice throws DataCloneError", () => {
    const buffer = new ArrayBuffer(4);
    expectDataCloneErrorWith(() => structuredClone(1, { transfer: [buffer, buffer] }));
  });

  test("an object that is not transferable throws DataCloneError", () => {
    expectDataCloneErrorWith(() => structuredClone(1, { transfer: [{}] }));
    expectDataCloneErrorWith(() => structuredClone(1, { transfer: [new Uint8Array(1)] }));
  });

  test("a detached buffer can be neither transferred nor cloned", () => {
    if (!hasTransfer) return;
    const buffer = new ArrayBuffer(4);
    buffer.transfer();
    expectDataCloneErrorWith(() => structuredClone(1, { transfer: [buffer] }));
    expectDataCloneErrorWith(() => structuredClone(buffer));
  });

  test("a transfer list that is not an iterable of objects throws TypeError", () => {
    expect(() => structuredClone(1, { transfer: 5 as unknown as [] })).toThrow(TypeError);
    expect(() => structuredClone(1, { transfer: [1] })).toThrow(TypeError);
  });

  test("options that are not an object throw TypeError", () => {
    expect(() => structuredClone(1, 5 as unknown as {})).toThrow(TypeError);
  });
});

function expectDataCloneErrorWith(fn: () => unknown): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(DOMException);
  expect(error.name).toBe("DataCloneError");
}
