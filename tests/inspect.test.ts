// Expected strings are Node's util.inspect / util.format output (checked
// against Node 20), except where a test says otherwise.
import { test, expect, describe } from "uringy:test";
import { inspect, format, formatWithOptions, setPromiseStateHook } from "uringy:internal/inspect";

const lines = (...parts: string[]) => parts.join("\n");

/** quickjs-ng style stack: only frame lines, with a trailing newline. */
const FRAMES = "    at foo (/app/x.ts:3:9)\n    at <anonymous> (/app/x.ts:5:1)";
function withStack<T extends Error>(err: T, stack: string = FRAMES + "\n"): T {
  Object.defineProperty(err, "stack", { value: stack, writable: true, configurable: true });
  return err;
}

describe("primitives", () => {
  test("numbers, including -0", () => {
    expect(inspect([1, -0, NaN, -Infinity, 1.5])).toBe("[ 1, -0, NaN, -Infinity, 1.5 ]");
  });

  test("bigint, booleans, null, undefined", () => {
    expect(inspect([10n, true, null, undefined])).toBe("[ 10n, true, null, undefined ]");
  });

  test("strings use single quotes", () => {
    expect(inspect("hello")).toBe("'hello'");
  });

  test("strings containing single quotes use double quotes", () => {
    expect(inspect("it's")).toBe(`"it's"`);
  });

  test("strings containing single and double quotes use backticks", () => {
    expect(inspect(`it's "x"`)).toBe("`it's \"x\"`");
  });

  test("strings containing all quote kinds escape single quotes", () => {
    expect(inspect("it's \"x\" `y`")).toBe("'it\\'s \"x\" `y`'");
  });

  test("control characters and backslashes are escaped", () => {
    expect(inspect("a\nb\tc\\d\x00\x7f")).toBe("'a\\nb\\tc\\\\d\\x00\\x7F'");
  });

  test("symbols", () => {
    expect(inspect([Symbol("a"), Symbol(), Symbol.iterator])).toBe("[ Symbol(a), Symbol(), Symbol(Symbol.iterator) ]");
  });

  test("long multi-line strings are split into concatenated pieces", () => {
    expect(inspect("line one is here\n".repeat(3) + "and the last line is long enough to split")).toBe(
      lines(
        "'line one is here\\n' +",
        "  'line one is here\\n' +",
        "  'line one is here\\n' +",
        "  'and the last line is long enough to split'",
      ),
    );
  });
});

describe("objects", () => {
  test("nested objects print on one line when short", () => {
    expect(inspect({ a: 1, b: { c: [1, 2] } })).toBe("{ a: 1, b: { c: [ 1, 2 ] } }");
  });

  test("empty object and array", () => {
    expect(inspect([{}, []])).toBe("[ {}, [] ]");
  });

  test("objects deeper than depth 2 collapse to [Object] / [Array]", () => {
    expect(inspect({ a: { b: { c: { d: 1 } } }, arr: [[[[1]]]] })).toBe(
      "{ a: { b: { c: [Object] } }, arr: [ [ [Array] ] ] }",
    );
  });

  test("depth option", () => {
    expect(inspect({ a: { b: 1 }, c: [1] }, { depth: 0 })).toBe("{ a: [Object], c: [Array] }");
  });

  test("unlimited depth breaks objects nested more than 3 levels", () => {
    expect(inspect({ a: { b: { c: { d: 1 } } } }, { depth: Infinity })).toBe(
      lines("{", "  a: { b: { c: { d: 1 } } }", "}"),
    );
  });

  test("objects wider than breakLength are split over lines", () => {
    const value = { alpha: "aaaaaaaaaaaa", beta: "bbbbbbbbbbbbbb", gamma: "cccccccccccccc", delta: "ddddddddddd" };
    expect(inspect(value)).toBe(
      lines(
        "{",
        "  alpha: 'aaaaaaaaaaaa',",
        "  beta: 'bbbbbbbbbbbbbb',",
        "  gamma: 'cccccccccccccc',",
        "  delta: 'ddddddddddd'",
        "}",
      ),
    );
  });

  test("breakLength option", () => {
    expect(inspect({ a: 1, b: 2 }, { breakLength: 10 })).toBe(lines("{", "  a: 1,", "  b: 2", "}"));
  });

  test("compact: false puts every property on its own line", () => {
    expect(inspect({ a: 1, b: { c: 2 } }, { compact: false })).toBe(
      lines("{", "  a: 1,", "  b: {", "    c: 2", "  }", "}"),
    );
  });

  test("sorted option", () => {
    expect(inspect({ b: 1, a: 2 }, { sorted: true })).toBe("{ a: 2, b: 1 }");
  });

  test("keys that aren't identifiers are quoted", () => {
    expect(inspect({ "a-b": 1, $x: 2, _ok: 3, 1: 4, "with space": 5 })).toBe(
      "{ '1': 4, 'a-b': 1, '$x': 2, _ok: 3, 'with space': 5 }",
    );
  });

  test("symbol keys come last, in brackets", () => {
    expect(inspect({ [Symbol("a")]: 1, b: 2 })).toBe("{ b: 2, [Symbol(a)]: 1 }");
  });

  test("getters and setters", () => {
    const value = {
      get a() {
        return 1;
      },
      set b(_v: number) {},
      get c() {
        return 1;
      },
      set c(_v: number) {},
    };
    expect(inspect(value)).toBe("{ a: [Getter], b: [Setter], c: [Getter/Setter] }");
  });

  test("class instances show the class name", () => {
    class Foo {
      x = 1;
    }
    class Empty {}
    class Bar extends Foo {}
    expect(inspect([new Foo(), new Empty(), new Bar()])).toBe("[ Foo { x: 1 }, Empty {}, Bar { x: 1 } ]");
  });

  test("null-prototype objects", () => {
    expect(inspect([Object.create(null), Object.assign(Object.create(null), { a: 1 })])).toBe(
      "[ [Object: null prototype] {}, [Object: null prototype] { a: 1 } ]",
    );
  });

  test("Symbol.toStringTag from the prototype is shown", () => {
    class T {
      get [Symbol.toStringTag]() {
        return "Tagged";
      }
    }
    expect(inspect(new T())).toBe("T [Tagged] {}");
    expect(inspect(Object.create({ [Symbol.toStringTag]: "Tag" }))).toBe("Object [Tag] {}");
  });

  test("an own enumerable Symbol.toStringTag is just a property", () => {
    expect(inspect({ [Symbol.toStringTag]: "Tag", a: 1 })).toBe("{ a: 1, [Symbol(Symbol.toStringTag)]: 'Tag' }");
  });

  test("circular references", () => {
    const o: Record<string, unknown> = { name: "o" };
    o.self = o;
    expect(inspect(o)).toBe("<ref *1> { name: 'o', self: [Circular *1] }");
  });

  test("several circular references are numbered", () => {
    const a: Record<string, unknown> = { n: "a" };
    const b = { a };
    a.b = b;
    expect(inspect([a, b])).toBe(
      lines(
        "[",
        "  <ref *1> { n: 'a', b: { a: [Circular *1] } },",
        "  <ref *2> { a: <ref *1> { n: 'a', b: [Circular *2] } }",
        "]",
      ),
    );
  });

  test("arguments objects", () => {
    const args = (function (..._rest: unknown[]) {
      return arguments;
    })(1, 2);
    expect(inspect(args)).toBe("[Arguments] { '0': 1, '1': 2 }");
  });

  test("proxies are shown as their target", () => {
    expect(inspect(new Proxy({ a: 1 }, {}))).toBe("{ a: 1 }");
  });

  test("generator objects", () => {
    expect(inspect((function* () {})())).toBe("Object [Generator] {}");
  });
});

describe("arrays", () => {
  test("more than 6 numbers are grouped into aligned columns", () => {
    expect(inspect(Array.from({ length: 30 }, (_, i) => i + 1))).toBe(
      lines(
        "[",
        "   1,  2,  3,  4,  5,  6,  7,  8,  9,",
        "  10, 11, 12, 13, 14, 15, 16, 17, 18,",
        "  19, 20, 21, 22, 23, 24, 25, 26, 27,",
        "  28, 29, 30",
        "]",
      ),
    );
  });

  test("grouped strings are left-aligned", () => {
    expect(inspect("abcdefghijklmnopqrstuvwxyz".split(""))).toBe(
      lines(
        "[",
        "  'a', 'b', 'c', 'd', 'e', 'f',",
        "  'g', 'h', 'i', 'j', 'k', 'l',",
        "  'm', 'n', 'o', 'p', 'q', 'r',",
        "  's', 't', 'u', 'v', 'w', 'x',",
        "  'y', 'z'",
        "]",
      ),
    );
  });

  test("short objects are grouped two per line", () => {
    expect(inspect(Array.from({ length: 7 }, () => ({ a: 1 })))).toBe(
      lines("[", "  { a: 1 }, { a: 1 },", "  { a: 1 }, { a: 1 },", "  { a: 1 }, { a: 1 },", "  { a: 1 }", "]"),
    );
  });

  test("only the first 100 items are shown", () => {
    expect(inspect(Array.from({ length: 120 }, (_, i) => i))).toBe(
      lines(
        "[",
        "   0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11,",
        "  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,",
        "  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,",
        "  36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,",
        "  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,",
        "  60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,",
        "  72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83,",
        "  84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,",
        "  96, 97, 98, 99,",
        "  ... 20 more items",
        "]",
      ),
    );
  });

  test("maxArrayLength option", () => {
    expect(inspect([1, 2, 3, 4], { maxArrayLength: 2 })).toBe("[ 1, 2, ... 2 more items ]");
  });

  test("holes", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(inspect([, 1, , , 2, ,])).toBe("[ <1 empty item>, 1, <2 empty items>, 2, <1 empty item> ]");
  });

  test("huge sparse arrays stay cheap", () => {
    const a: number[] = [];
    a[1e9] = 1;
    expect(inspect(a)).toBe("[ <1000000000 empty items>, 1 ]");
  });

  test("extra properties follow the elements", () => {
    expect(inspect(Object.assign([1, 2], { x: "y" }))).toBe("[ 1, 2, x: 'y' ]");
  });

  test("array subclasses show name and length", () => {
    class MyArr extends Array {}
    expect(inspect(MyArr.from([1, 2]))).toBe("MyArr(2) [ 1, 2 ]");
  });
});

describe("collections", () => {
  test("Map", () => {
    expect(inspect(new Map([["a", 1], ["b", 2]]))).toBe("Map(2) { 'a' => 1, 'b' => 2 }");
  });

  test("Set", () => {
    expect(inspect(new Set([1, "a", [2]]))).toBe("Set(3) { 1, 'a', [ 2 ] }");
  });

  test("nested Map and Set", () => {
    expect(inspect(new Map([[{ a: 1 }, new Set([1])]]))).toBe("Map(1) { { a: 1 } => Set(1) { 1 } }");
  });

  test("empty and weak collections", () => {
    expect(inspect([new Map(), new Set(), new WeakMap(), new WeakSet()])).toBe(
      lines("[", "  Map(0) {},", "  Set(0) {},", "  WeakMap { <items unknown> },", "  WeakSet { <items unknown> }", "]"),
    );
  });
});

describe("functions", () => {
  test("functions, classes, async and generator functions", () => {
    function foo() {}
    class Foo {}
    class Bar extends Foo {}
    const values = [foo, () => {}, Foo, Bar, async function f() {}, function* g() {}, async function* ag() {}];
    expect(inspect(values)).toBe(
      lines(
        "[",
        "  [Function: foo],",
        "  [Function (anonymous)],",
        "  [class Foo],",
        "  [class Bar extends Foo],",
        "  [AsyncFunction: f],",
        "  [GeneratorFunction: g],",
        "  [AsyncGeneratorFunction: ag]",
        "]",
      ),
    );
  });

  test("function properties are listed", () => {
    expect(inspect(Object.assign(function f() {}, { a: 1 }))).toBe("[Function: f] { a: 1 }");
  });
});

describe("built-in objects", () => {
  test("Date, invalid Date, RegExp", () => {
    expect(inspect([new Date(0), new Date(NaN), /ab+c/gi])).toBe("[ 1970-01-01T00:00:00.000Z, Invalid Date, /ab+c/gi ]");
  });

  test("boxed primitives", () => {
    const values = [new Number(3), new String("x"), new Boolean(false), Object(Symbol("s")), Object(5n), new Number(-0)];
    expect(inspect(values)).toBe(
      lines(
        "[",
        "  [Number: 3],",
        "  [String: 'x'],",
        "  [Boolean: false],",
        "  [Symbol: Symbol(s)],",
        "  [BigInt: 5n],",
        "  [Number: -0]",
        "]",
      ),
    );
  });

  test("ArrayBuffer", () => {
    expect(inspect(new Uint8Array([1, 2]).buffer)).toBe("ArrayBuffer { [Uint8Contents]: <01 02>, byteLength: 2 }");
  });

  test("typed arrays", () => {
    const values = [new Uint8Array([1, 2, 3]), new Float64Array([1.5, -0]), new BigInt64Array([1n]), new Uint8Array(0)];
    expect(inspect(values)).toBe(
      lines(
        "[",
        "  Uint8Array(3) [ 1, 2, 3 ],",
        "  Float64Array(2) [ 1.5, -0 ],",
        "  BigInt64Array(1) [ 1n ],",
        "  Uint8Array(0) []",
        "]",
      ),
    );
  });

  test("DataView", () => {
    expect(inspect(new DataView(new Uint8Array([1, 2]).buffer))).toBe(
      lines(
        "DataView {",
        "  byteLength: 2,",
        "  byteOffset: 0,",
        "  buffer: ArrayBuffer { [Uint8Contents]: <01 02>, byteLength: 2 }",
        "}",
      ),
    );
  });
});

describe("errors", () => {
  // quickjs-ng stacks hold only frames; the "Name: message" header V8 puts
  // first is rebuilt, so the output is what Node prints for the same error.
  test("header is put in front of a frames-only stack", () => {
    expect(inspect(withStack(new Error("boom")))).toBe(
      "Error: boom\n    at foo (/app/x.ts:3:9)\n    at <anonymous> (/app/x.ts:5:1)",
    );
  });

  test("a stack that already has the header isn't given a second one", () => {
    const err = withStack(new TypeError("bad type"), "TypeError: bad type\n" + FRAMES);
    expect(inspect(err)).toBe("TypeError: bad type\n" + FRAMES);
  });

  test("own enumerable properties are appended", () => {
    expect(inspect(withStack(Object.assign(new Error("nope"), { code: "ENOENT" })))).toBe(
      "Error: nope\n" + FRAMES + " {\n  code: 'ENOENT'\n}",
    );
  });

  test("nested errors have their stack indented", () => {
    expect(inspect({ e: withStack(new Error("inner")), n: 1 })).toBe(
      lines(
        "{",
        "  e: Error: inner",
        "      at foo (/app/x.ts:3:9)",
        "      at <anonymous> (/app/x.ts:5:1),",
        "  n: 1",
        "}",
      ),
    );
  });

  test("an error without stack prints in brackets", () => {
    expect(inspect(withStack(new Error("msg"), ""))).toBe("[Error: msg]");
    expect(inspect(Object.assign(withStack(new Error("msg"), ""), { code: 1 }))).toBe("[Error: msg] { code: 1 }");
  });

  test("cause", () => {
    const inner = withStack(new Error("inner"), "    at inner (/app/x.ts:1:1)\n" + FRAMES + "\n");
    const outer = withStack(new Error("outer", { cause: inner }), "    at outer (/app/x.ts:9:9)\n" + FRAMES + "\n");
    expect(inspect(outer)).toBe(
      lines(
        "Error: outer",
        "    at outer (/app/x.ts:9:9)",
        "    at foo (/app/x.ts:3:9)",
        "    at <anonymous> (/app/x.ts:5:1) {",
        "  [cause]: Error: inner",
        "      at inner (/app/x.ts:1:1)",
        "      at foo (/app/x.ts:3:9)",
        "      at <anonymous> (/app/x.ts:5:1)",
        "}",
      ),
    );
  });

  test("frames shared with the cause are collapsed", () => {
    const shared = ["a", "b", "c", "d", "e"].map((f, i) => `    at ${f} (/app/x.ts:${i + 1}:1)`).join("\n");
    const inner = withStack(new Error("inner"), `    at inner (/app/x.ts:8:8)\n${shared}\n`);
    const outer = withStack(new Error("outer", { cause: inner }), `    at outer (/app/x.ts:9:9)\n${shared}\n`);
    expect(inspect(outer)).toBe(
      lines(
        "Error: outer",
        "    at outer (/app/x.ts:9:9)",
        "    at a (/app/x.ts:1:1)",
        "    ... 3 lines matching cause stack trace ...",
        "    at e (/app/x.ts:5:1) {",
        "  [cause]: Error: inner",
        "      at inner (/app/x.ts:8:8)",
        "      at a (/app/x.ts:1:1)",
        "      at b (/app/x.ts:2:1)",
        "      at c (/app/x.ts:3:1)",
        "      at d (/app/x.ts:4:1)",
        "      at e (/app/x.ts:5:1)",
        "}",
      ),
    );
  });

  test("AggregateError lists its errors", () => {
    const err = withStack(new AggregateError([withStack(new Error("a"))], "many"));
    expect(inspect(err)).toBe(
      lines(
        "AggregateError: many",
        "    at foo (/app/x.ts:3:9)",
        "    at <anonymous> (/app/x.ts:5:1) {",
        "  [errors]: [",
        "    Error: a",
        "        at foo (/app/x.ts:3:9)",
        "        at <anonymous> (/app/x.ts:5:1)",
        "  ]",
        "}",
      ),
    );
  });

  test("subclasses: the class name is shown when it differs from err.name", () => {
    class Foo extends Error {}
    class FooError extends Error {}
    class MyError extends Error {
      constructor(message: string) {
        super(message);
        this.name = "MyError";
      }
    }
    expect(inspect(withStack(new Foo("x")))).toBe("Foo [Error]: x\n" + FRAMES);
    expect(inspect(withStack(new FooError("x")))).toBe("FooError: x\n" + FRAMES);
    expect(inspect(withStack(new MyError("x")))).toBe("MyError: x\n" + FRAMES);
  });
});

describe("promises", () => {
  test("without the runtime hook the state is unknown", () => {
    setPromiseStateHook(undefined);
    expect(inspect(Promise.resolve(1))).toBe("Promise { <unknown> }");
  });

  test("with the hook: fulfilled, pending, rejected", () => {
    // Expected output is Node's for real promises in these states.
    const states = new Map<unknown, { state: "pending" | "fulfilled" | "rejected"; value?: unknown }>();
    const track = (p: Promise<unknown>, state: "pending" | "fulfilled" | "rejected", value?: unknown) => {
      p.catch(() => {});
      states.set(p, { state, value });
      return p;
    };
    setPromiseStateHook((p) => states.get(p));
    try {
      const rejection = withStack(new Error("nope"), "");
      const values = [
        track(Promise.resolve(1), "fulfilled", 1),
        track(Promise.resolve({ a: 1 }), "fulfilled", { a: 1 }),
        track(new Promise(() => {}), "pending"),
        track(Promise.reject(rejection), "rejected", rejection),
      ];
      expect(inspect(values)).toBe(
        lines(
          "[",
          "  Promise { 1 },",
          "  Promise { { a: 1 } },",
          "  Promise { <pending> },",
          "  Promise { <rejected> [Error: nope] }",
          "]",
        ),
      );
    } finally {
      setPromiseStateHook(undefined);
    }
  });
});

describe("custom inspect", () => {
  const custom = Symbol.for("nodejs.util.inspect.custom");

  test("called with (depth, options, inspect)", () => {
    const value = {
      a: {
        b: {
          [custom](depth: number, options: object, inspectFn: typeof inspect) {
            return `depth=${depth} ${inspectFn({ x: [1] }, options)}`;
          },
        },
      },
    };
    expect(inspect(value)).toBe("{ a: { b: depth=0 { x: [ 1 ] } } }");
  });

  test("a returned object is inspected in place of the original", () => {
    expect(inspect({ wrapped: { [custom]: () => ({ replaced: true }) } })).toBe("{ wrapped: { replaced: true } }");
  });

  test("returned multi-line text is indented", () => {
    expect(inspect({ t: { [custom]: () => "line1\nline2" } })).toBe("{\n  t: line1\n  line2\n}");
  });

  test("inspect.custom is the shared symbol", () => {
    expect(inspect.custom).toBe(custom);
  });
});

describe("colors", () => {
  test("Node's default styles", () => {
    const value = {
      n: 1,
      s: "x",
      b: true,
      u: undefined,
      nu: null,
      sy: Symbol("s"),
      d: new Date(0),
      r: /x/,
      f() {},
      big: 1n,
    };
    expect(inspect(value, { colors: true })).toBe(
      lines(
        "{",
        "  n: \u001b[33m1\u001b[39m,",
        "  s: \u001b[32m'x'\u001b[39m,",
        "  b: \u001b[33mtrue\u001b[39m,",
        "  u: \u001b[90mundefined\u001b[39m,",
        "  nu: \u001b[1mnull\u001b[22m,",
        "  sy: \u001b[32mSymbol(s)\u001b[39m,",
        "  d: \u001b[35m1970-01-01T00:00:00.000Z\u001b[39m,",
        "  r: \u001b[31m/x/\u001b[39m,",
        "  f: \u001b[36m[Function: f]\u001b[39m,",
        "  big: \u001b[33m1n\u001b[39m",
        "}",
      ),
    );
  });

  test("color codes don't count towards line width when grouping", () => {
    expect(inspect(Array.from({ length: 8 }, (_, i) => i), { colors: true })).toBe(
      lines(
        "[",
        "  \u001b[33m0\u001b[39m, \u001b[33m1\u001b[39m, \u001b[33m2\u001b[39m, \u001b[33m3\u001b[39m,",
        "  \u001b[33m4\u001b[39m, \u001b[33m5\u001b[39m, \u001b[33m6\u001b[39m, \u001b[33m7\u001b[39m",
        "]",
      ),
    );
  });
});

describe("format", () => {
  test("%s and %d", () => {
    expect(format("%s is %d years", "Bob", 42)).toBe("Bob is 42 years");
  });

  test("%i and %f", () => {
    expect(format("%i %f", 42.9, "1.5")).toBe("42 1.5");
  });

  test("%j", () => {
    expect(format("%j", { a: [1, "x"] })).toBe('{"a":[1,"x"]}');
  });

  test("%j with a cycle", () => {
    const o: Record<string, unknown> = {};
    o.o = o;
    expect(format("%j", o)).toBe("[Circular]");
  });

  test("%o shows hidden properties, %O inspects", () => {
    expect(format("%o", [1])).toBe("[ 1, [length]: 1 ]");
    expect(format("%O", { a: { b: { c: { d: 1 } } } })).toBe("{ a: { b: { c: [Object] } } }");
  });

  test("%s inspects plain objects with depth 0", () => {
    expect(format("%s", { a: { b: { c: 1 } } })).toBe("{ a: [Object] }");
  });

  test("%s uses a class's own toString", () => {
    class Custom {
      toString() {
        return "custom";
      }
    }
    expect(format("%s", new Custom())).toBe("custom");
  });

  test("%s with -0, bigint and symbols", () => {
    expect(format("%s %s %s", -0, 5n, Symbol("q"))).toBe("-0 5n Symbol(q)");
  });

  test("%c is dropped and %% is a percent sign", () => {
    expect(format("%cstyled", "color: red")).toBe("styled");
    expect(format("%d%% done", 50)).toBe("50% done");
  });

  test("extra arguments are appended, strings unquoted", () => {
    expect(format("a %s", "b", "c", { d: "e" })).toBe("a b c { d: 'e' }");
  });

  test("placeholders without arguments are kept", () => {
    expect(format("%s %s", "only")).toBe("only %s");
  });

  test("a non-string first argument: everything is inspected and joined", () => {
    expect(format({ a: 1 }, "str", 2)).toBe("{ a: 1 } str 2");
  });

  test("formatWithOptions passes options to inspect", () => {
    expect(formatWithOptions({ colors: true }, "n=%d", 5, { a: "x" })).toBe("n=5 { a: \u001b[32m'x'\u001b[39m }");
  });
});
