// `expect` of the `uringy:test` module: Jest/Bun-compatible matchers.
//
// A matcher is a function from the received value (and its arguments) to `{ pass, message }`.
// `expect(value)` returns an object whose methods run a matcher and throw an `AssertionError`
// when its outcome is not the one wanted (`pass` for plain matchers, `!pass` under `.not`).
// `.resolves` / `.rejects` wait for a promise first, and their matchers return a promise.
//
// Written in erasable TypeScript only (no enum, namespace or parameter properties), because
// the runtime strips types instead of compiling them.

import { inspect } from "./inspect.ts";

// ---------------------------------------------------------------------------------------------
// Public types

/**
 * The matchers; `R` is `void` for plain expectations, `Promise<void>` after resolves/rejects.
 * `T` is the type of the value given to `expect` (for matchers added with `expect.extend`).
 */
export interface Matchers<R, T = unknown> {
  /** `Object.is` equality. */
  toBe(expected: unknown): R;
  /** Recursive equality; properties holding `undefined` are ignored, classes are not compared. */
  toEqual(expected: unknown): R;
  /** Like `toEqual`, but `undefined` properties, array holes and prototypes count too. */
  toStrictEqual(expected: unknown): R;
  toBeTruthy(): R;
  toBeFalsy(): R;
  toBeNull(): R;
  toBeUndefined(): R;
  toBeDefined(): R;
  toBeNaN(): R;
  toBeGreaterThan(expected: number | bigint): R;
  toBeGreaterThanOrEqual(expected: number | bigint): R;
  toBeLessThan(expected: number | bigint): R;
  toBeLessThanOrEqual(expected: number | bigint): R;
  /** `|received - expected| < 10 ** -numDigits / 2`; `numDigits` defaults to 2. */
  toBeCloseTo(expected: number, numDigits?: number): R;
  /** A substring of a string, or an item (by `===`) of an array, Set or other iterable. */
  toContain(expected: unknown): R;
  /** An item of an array or other iterable that is `toEqual` to `expected`. */
  toContainEqual(expected: unknown): R;
  toHaveLength(expected: number): R;
  /** `path` is `"a.b[0].c"` or `["a", "b", 0, "c"]`; with `value`, also compares it (`toEqual`). */
  toHaveProperty(path: string | readonly (string | number)[], value?: unknown): R;
  /** A string that matches a RegExp, or contains a substring. */
  toMatch(expected: RegExp | string): R;
  /** Every property of `expected` is in `received` with an equal value (recursively a subset). */
  toMatchObject(expected: object): R;
  toBeInstanceOf(expected: Constructor): R;
  toBeTypeOf(expected: TypeOfName): R;
  /**
   * The function throws (or, after `.rejects`, the promise rejects): anything, when no argument
   * is given; an error whose message contains the string, or matches the RegExp; an instance of
   * the class; an error with the same message as the given error.
   */
  toThrow(expected?: ThrowExpectation): R;
  /** Same as `toThrow`. */
  toThrowError(expected?: ThrowExpectation): R;
}

/** A class (anything `instanceof` accepts on its right). */
export type Constructor = abstract new (...args: never[]) => unknown;

/** What `toThrow` accepts: a substring, a pattern, a class, an error (its message), a matcher. */
export type ThrowExpectation = string | RegExp | Constructor | { readonly message: string } | PublicAsymmetricMatcher;

export type TypeOfName =
  | "string" | "number" | "bigint" | "boolean" | "symbol" | "undefined" | "object" | "function";

/** What `expect(value)` returns. */
export interface Expectations<T = unknown> extends Matchers<void, T> {
  /** The same matchers, inverted. */
  readonly not: Matchers<void, T>;
  /** Waits for the promise to fulfil, then matches its value; the matchers return promises. */
  readonly resolves: AsyncExpectations<Awaited<T>>;
  /** Waits for the promise to reject, then matches the reason; the matchers return promises. */
  readonly rejects: AsyncExpectations<unknown>;
}

export interface AsyncExpectations<T = unknown> extends Matchers<Promise<void>, T> {
  readonly not: Matchers<Promise<void>, T>;
}

/** What a matcher (a built-in one, or one given to `expect.extend`) returns. */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** `this` inside a matcher. */
export interface MatcherContext {
  /** The matcher runs under `.not`. */
  readonly isNot: boolean;
  /** `"resolves"` or `"rejects"` when the matcher runs after one of them, else `""`. */
  readonly promise: "" | "resolves" | "rejects";
  /** `toEqual` (or with `strict`, `toStrictEqual`) equality. */
  equals(a: unknown, b: unknown, strict?: boolean): boolean;
  readonly utils: MatcherUtils;
}

export interface MatcherUtils {
  /** A value as the failure messages show it. */
  format(value: unknown): string;
  /** `expect(received)[.resolves][.not].name(args)`: the first line of a failure message. */
  matcherHint(name: string, args?: string): string;
  /** A line diff of two values as `- expected` / `+ received` lines, or "" if it adds nothing. */
  diff(expected: unknown, received: unknown): string;
}

/** A matcher given to `expect.extend`; `received` may be typed as the matcher expects it. */
export type CustomMatcher = (
  this: MatcherContext,
  received: any,
  ...args: any[]
) => MatcherResult;

/** A built-in matcher: as `CustomMatcher`, but what it receives is checked before use. */
type BuiltinMatcher = (this: MatcherContext, received: unknown, ...args: any[]) => MatcherResult;

/** What `expect.any()`, `expect.objectContaining()`, … give (`uringy:test` exports it as
 *  `AsymmetricMatcher`): only instances of the class below match asymmetrically. */
export interface PublicAsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
  toString(): string;
}

export interface AssertionErrorDetails {
  actual?: unknown;
  expected?: unknown;
  matcherName?: string;
}

// ---------------------------------------------------------------------------------------------
// AssertionError

// Instances carry a registered symbol, so that `instanceof AssertionError` holds across two
// copies of this module (the built-in `uringy:test` and this file imported by path).
const ASSERTION_ERROR_BRAND = Symbol.for("uringy.test.AssertionError");

/** Thrown when an expectation fails (or a matcher is used with arguments it can't take). */
export class AssertionError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== AssertionError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null &&
      (value as { [ASSERTION_ERROR_BRAND]?: unknown })[ASSERTION_ERROR_BRAND] === true;
  }

  /** The received value. */
  actual: unknown = undefined;
  /** The expected value (the matcher's first argument). */
  expected: unknown = undefined;
  /** `"toBe"`, `"toEqual"`, …; `""` when not raised by a matcher. */
  matcherName = "";

  constructor(message: string, details: AssertionErrorDetails = {}) {
    super(message);
    // Kept out of `Object.keys`, so that a failure printed with its own properties shows the
    // message alone: the message already shows both values.
    const hidden = (key: string, value: unknown) =>
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: false });
    hidden("actual", details.actual);
    hidden("expected", details.expected);
    hidden("matcherName", details.matcherName ?? "");
  }
}
Object.defineProperty(AssertionError.prototype, "name", {
  value: "AssertionError",
  writable: true,
  configurable: true,
  enumerable: false,
});
Object.defineProperty(AssertionError.prototype, ASSERTION_ERROR_BRAND, { value: true });

/** A misuse of a matcher (wrong kind of received value or argument): never inverted by `.not`. */
class MatcherUsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Formatting

const INSPECT_DEPTH = 10;


function isError(value: unknown): value is Error {
  return value instanceof Error ||
    (Object.prototype.toString.call(value) === "[object Error]" && typeof value === "object");
}

/** A value as failure messages show it: Node's inspect, but an error as `[Name: message]`. */
function format(value: unknown): string {
  if (value instanceof AsymmetricMatcher) return value.toString();
  if (isError(value)) {
    let name = "Error";
    let message = "";
    try {
      name = String(value.name);
      message = String(value.message);
    } catch {
      // fall through with what we have
    }
    return message === "" ? `[${name}]` : `[${name}: ${message}]`;
  }
  try {
    return inspect(value, { depth: INSPECT_DEPTH });
  } catch (e) {
    return `<uninspectable value: ${String(e)}>`;
  }
}

function formatForDiff(value: unknown): string {
  try {
    // One property per line, so that the line diff pinpoints the differing property.
    return inspect(value, { depth: INSPECT_DEPTH, compact: false, breakLength: Infinity });
  } catch {
    return format(value);
  }
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

const DIFF_CONTEXT = 5;
const DIFF_MAX_CELLS = 4_000_000;

type DiffOp = { kind: " " | "-" | "+"; line: string };

/** Lines of `a` (expected) and `b` (received) as an edit script: `-` only in a, `+` only in b. */
function diffLineArrays(a: string[], b: string[]): DiffOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: DiffOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: " ", line: a[i]! });
  const n = endA - start;
  const m = endB - start;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= DIFF_MAX_CELLS) {
    // Longest common subsequence, filled from the end so the walk below goes forwards.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[start + i] === b[start + j]) {
        ops.push({ kind: " ", line: a[start + i]! });
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
        ops.push({ kind: "-", line: a[start + i]! });
        i++;
      } else {
        ops.push({ kind: "+", line: b[start + j]! });
        j++;
      }
    }
    for (; i < n; i++) ops.push({ kind: "-", line: a[start + i]! });
    for (; j < m; j++) ops.push({ kind: "+", line: b[start + j]! });
  } else {
    // Too big to align (or one side empty): everything removed, then everything added.
    for (let i = start; i < endA; i++) ops.push({ kind: "-", line: a[i]! });
    for (let j = start; j < endB; j++) ops.push({ kind: "+", line: b[j]! });
  }
  for (let i = endA; i < a.length; i++) ops.push({ kind: " ", line: a[i]! });
  return ops;
}

/**
 * A line diff of two texts: a `- Expected` / `+ Received` legend with counts, then the lines,
 * unchanged runs longer than the context shortened to `...`. "" when the texts are equal.
 */
export function diffText(expected: string, received: string): string {
  const ops = diffLineArrays(expected.split("\n"), received.split("\n"));
  let removed = 0;
  let added = 0;
  for (const op of ops) {
    if (op.kind === "-") removed++;
    else if (op.kind === "+") added++;
  }
  if (removed === 0 && added === 0) return "";
  // Which unchanged lines lie within DIFF_CONTEXT of a change.
  const keep = new Uint8Array(ops.length);
  for (let k = 0; k < ops.length; k++) {
    if (ops[k]!.kind === " ") continue;
    for (let c = Math.max(0, k - DIFF_CONTEXT); c <= Math.min(ops.length - 1, k + DIFF_CONTEXT); c++) keep[c] = 1;
  }
  // A "..." standing for a single line would hide nothing: show the line instead.
  for (let k = 0; k < ops.length; k++) {
    if (!keep[k] && (k === 0 || keep[k - 1]) && (k === ops.length - 1 || keep[k + 1])) keep[k] = 1;
  }
  const lines = [`- Expected  - ${removed}`, `+ Received  + ${added}`, ""];
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    if (keep[k]) lines.push(`${op.kind} ${op.line}`.trimEnd());
    else if (k === 0 || keep[k - 1]) lines.push("  ...");
  }
  return lines.join("\n");
}

/**
 * The "Expected: …" / "Received: …" lines of an equality failure, with a diff of the two. When
 * either value takes several lines the diff alone shows both, so the two lines are left out.
 */
function expectedAndReceived(
  expected: unknown,
  received: unknown,
  labels: [string, string] = ["Expected: ", "Received: "],
  diffReceived: unknown = received,
): string[] {
  const e = format(expected);
  const r = format(received);
  const diff = diffValues(expected, diffReceived);
  if (diff === "") return [labels[0] + e, labels[1] + r];
  if (e.includes("\n") || r.includes("\n")) return [diff];
  return [labels[0] + e, labels[1] + r, "", diff];
}

/** The diff section of an equality failure, or "" when a diff would only repeat the two lines. */
function diffValues(expected: unknown, received: unknown): string {
  if (!isObjectLike(expected) || !isObjectLike(received)) return "";
  if (expected instanceof AsymmetricMatcher || received instanceof AsymmetricMatcher) return "";
  const a = formatForDiff(expected);
  const b = formatForDiff(received);
  if (!a.includes("\n") && !b.includes("\n")) return "";
  return diffText(a, b);
}

// ---------------------------------------------------------------------------------------------
// Stack traces
//
// A failure's stack should start at the test's `expect(...).toX(...)` line, not inside this
// file. Engines with `Error.captureStackTrace` (V8, quickjs-ng) can cut the frames above a
// given function. V8's `stack` starts with "Name: message"; quickjs-ng's has frames only.

type CaptureStackTrace = (target: object, constructorOpt?: Function) => void;
const captureStackTrace = (Error as unknown as { captureStackTrace?: CaptureStackTrace }).captureStackTrace;

const STACK_HAS_HEADER = (() => {
  try {
    const stack = new Error("uringy-probe").stack;
    return typeof stack === "string" && stack.startsWith("Error: uringy-probe");
  } catch {
    return false;
  }
})();

/** The frames (the "    at ..." lines) of the call stack above `entry`. */
function callSiteFrames(entry: Function): string | undefined {
  let stack: unknown;
  try {
    if (typeof captureStackTrace === "function") {
      const holder: { stack?: unknown } = {};
      captureStackTrace(holder, entry);
      stack = holder.stack;
    } else {
      stack = new Error().stack;
    }
  } catch {
    return undefined;
  }
  if (typeof stack !== "string") return undefined;
  const first = stack.search(/^\s+at /m);
  return first < 0 ? undefined : stack.slice(first);
}

/** Gives `error` the stack `frames`, with the header line V8-style engines put before them. */
function setStack(error: Error, frames: string | undefined): void {
  if (frames === undefined) return;
  const header = STACK_HAS_HEADER ? `${error.name}: ${error.message}\n` : "";
  try {
    Object.defineProperty(error, "stack", {
      value: header + frames,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  } catch {
    // an engine that won't let us: keep the stack it made
  }
}

// ---------------------------------------------------------------------------------------------
// Equality

type Mode = {
  /** toStrictEqual: `undefined` properties, holes and prototypes count. */
  strict: boolean;
  /** toMatchObject: an expected object with keys needs only its own keys in the received one. */
  subset: boolean;
};

const LOOSE: Mode = { strict: false, subset: false };
const STRICT: Mode = { strict: true, subset: false };
const SUBSET: Mode = { strict: false, subset: true };

const objectToString = Object.prototype.toString;
const hasOwn = (object: object, key: PropertyKey) => Object.prototype.hasOwnProperty.call(object, key);
const propertyIsEnumerable = (object: object, key: PropertyKey) =>
  Object.prototype.propertyIsEnumerable.call(object, key);

const TypedArray = Object.getPrototypeOf(Uint8Array) as Function;

function isTypedArray(value: object): value is Uint8Array {
  return value instanceof TypedArray;
}

/** Own enumerable string and symbol keys. */
function ownKeys(object: object): PropertyKey[] {
  const keys: PropertyKey[] = Object.keys(object);
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (propertyIsEnumerable(object, symbol)) keys.push(symbol);
  }
  return keys;
}

const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function isIndexKey(key: PropertyKey, length: number): boolean {
  return typeof key === "string" && INDEX_KEY.test(key) && Number(key) < length;
}

function get(object: object, key: PropertyKey): unknown {
  return (object as Record<PropertyKey, unknown>)[key];
}

/** An own or inherited property below Object.prototype (as `toMatchObject` looks for keys). */
function hasPropertyInObject(object: unknown, key: PropertyKey): boolean {
  let current: unknown = object;
  while (isObjectLike(current) && current !== Object.prototype) {
    if (hasOwn(current, key)) return true;
    current = Object.getPrototypeOf(current);
  }
  return false;
}

function urlClass(): Function | undefined {
  const URLClass = (globalThis as Record<string, unknown>)["URL"];
  return typeof URLClass === "function" ? URLClass : undefined;
}

/** An object that `toMatchObject` compares by its keys only. */
function isObjectWithKeys(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value) || isError(value) || isTypedArray(value)) return false;
  if (value instanceof AsymmetricMatcher) return false;
  switch (objectToString.call(value)) {
    case "[object Date]":
    case "[object RegExp]":
    case "[object Map]":
    case "[object Set]":
    case "[object ArrayBuffer]":
    case "[object SharedArrayBuffer]":
    case "[object DataView]":
    case "[object Number]":
    case "[object String]":
    case "[object Boolean]":
    case "[object BigInt]":
    case "[object Symbol]":
      return false;
  }
  const URLClass = urlClass();
  return !(URLClass && value instanceof URLClass);
}

/**
 * Recursive equality of `a` (received) and `b` (expected). `aStack`/`bStack` hold the pairs of
 * objects being compared further up, so that cycles compare as equal when they line up.
 */
function deepEqual(a: unknown, b: unknown, mode: Mode, aStack: unknown[], bStack: unknown[]): boolean {
  const aMatcher = a instanceof AsymmetricMatcher;
  const bMatcher = b instanceof AsymmetricMatcher;
  if (bMatcher && !aMatcher) return b.asymmetricMatch(a);
  if (aMatcher && !bMatcher) return a.asymmetricMatch(b);

  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false;

  for (let i = aStack.length - 1; i >= 0; i--) {
    if (aStack[i] === a) return bStack[i] === b;
    if (bStack[i] === b) return false;
  }

  if (mode.subset && isObjectWithKeys(b)) {
    aStack.push(a);
    bStack.push(b);
    const result = subsetEqual(a, b, mode, aStack, bStack);
    aStack.pop();
    bStack.pop();
    return result;
  }

  const tag = objectToString.call(a);
  if (tag !== objectToString.call(b)) return false;
  if (mode.strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;

  switch (tag) {
    case "[object Number]":
    case "[object String]":
    case "[object Boolean]":
    case "[object BigInt]":
    case "[object Symbol]":
      return Object.is((a as { valueOf(): unknown }).valueOf(), (b as { valueOf(): unknown }).valueOf());
    case "[object Date]":
      return Object.is((a as Date).getTime(), (b as Date).getTime());
    case "[object RegExp]":
      return (a as RegExp).source === (b as RegExp).source && (a as RegExp).flags === (b as RegExp).flags;
    case "[object ArrayBuffer]":
    case "[object SharedArrayBuffer]":
      return bytesEqual(new Uint8Array(a as ArrayBuffer), new Uint8Array(b as ArrayBuffer));
    case "[object DataView]": {
      const x = a as DataView;
      const y = b as DataView;
      return bytesEqual(
        new Uint8Array(x.buffer, x.byteOffset, x.byteLength),
        new Uint8Array(y.buffer, y.byteOffset, y.byteLength),
      );
    }
  }

  const URLClass = urlClass();
  if (URLClass && a instanceof URLClass && b instanceof URLClass) {
    return (a as { href: string }).href === (b as { href: string }).href;
  }

  if (isTypedArray(a) && isTypedArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }

  aStack.push(a);
  bStack.push(b);
  const result = compareContents(a, b, tag, mode, aStack, bStack);
  aStack.pop();
  bStack.pop();
  return result;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareContents(a: object, b: object, tag: string, mode: Mode, aStack: unknown[], bStack: unknown[]): boolean {
  const eq = (x: unknown, y: unknown) => deepEqual(x, y, mode, aStack, bStack);

  if (isError(a) && isError(b)) {
    if (a.name !== b.name || a.message !== b.message) return false;
    if ((hasOwn(a, "cause") || hasOwn(b, "cause")) && !eq(a.cause, b.cause)) return false;
    if (a instanceof AggregateError && b instanceof AggregateError && !eq(a.errors, b.errors)) return false;
    return true;
  }

  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (mode.strict && hasOwn(a, i) !== hasOwn(b, i)) return false;
      if (!eq(a[i], b[i])) return false;
    }
    return keysEqual(a, b, mode, eq, a.length);
  }

  if (tag === "[object Map]") {
    const x = a as Map<unknown, unknown>;
    const y = b as Map<unknown, unknown>;
    if (x.size !== y.size) return false;
    for (const [key, value] of x) {
      if (y.has(key)) {
        if (!eq(value, y.get(key))) return false;
        continue;
      }
      let found = false;
      for (const [otherKey, otherValue] of y) {
        if (eq(key, otherKey) && eq(value, otherValue)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  if (tag === "[object Set]") {
    const x = a as Set<unknown>;
    const y = b as Set<unknown>;
    if (x.size !== y.size) return false;
    outer: for (const value of x) {
      if (y.has(value)) continue;
      for (const other of y) if (eq(value, other)) continue outer;
      return false;
    }
    return true;
  }

  // Other iterables (generators, iterator objects, collections of user classes): their items
  // in order, and their own keys. Objects without an iterator compare by their own keys.
  const aIterator = (a as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  const bIterator = (b as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof aIterator === "function" && typeof bIterator === "function" && tag !== "[object Arguments]") {
    if (a.constructor !== b.constructor) return false;
    const x = (a as Iterable<unknown>)[Symbol.iterator]();
    const y = (b as Iterable<unknown>)[Symbol.iterator]();
    for (;;) {
      const p = x.next();
      const q = y.next();
      if (Boolean(p.done) !== Boolean(q.done)) return false;
      if (p.done) break;
      if (!eq(p.value, q.value)) return false;
    }
  }
  return keysEqual(a, b, mode, eq, -1);
}

/** Own enumerable keys (other than array indices below `indexLimit`) and their values. */
function keysEqual(a: object, b: object, mode: Mode, eq: (x: unknown, y: unknown) => boolean, indexLimit: number): boolean {
  const relevant = (object: object) =>
    ownKeys(object).filter((key) =>
      !isIndexKey(key, indexLimit) && (mode.strict || get(object, key) !== undefined));
  const aKeys = relevant(a);
  const bKeys = relevant(b);
  if (aKeys.length !== bKeys.length) return false;
  const bSet = new Set(bKeys);
  for (const key of aKeys) {
    if (!bSet.has(key)) return false;
    if (!eq(get(a, key), get(b, key))) return false;
  }
  return true;
}

function subsetEqual(object: unknown, subset: object, mode: Mode, aStack: unknown[], bStack: unknown[]): boolean {
  if (!isObjectLike(object)) return false;
  for (const key of ownKeys(subset)) {
    if (!hasPropertyInObject(object, key)) return false;
    if (!deepEqual(get(object, key), get(subset, key), mode, aStack, bStack)) return false;
  }
  return true;
}

/** `toEqual` (or with `strict`, `toStrictEqual`) equality of two values. */
export function equals(a: unknown, b: unknown, strict = false): boolean {
  return deepEqual(a, b, strict ? STRICT : LOOSE, [], []);
}

/**
 * The part of `received` that `toMatchObject(expected)` looked at, so that a diff against
 * `expected` shows the differences rather than every property `expected` did not name.
 */
function objectSubset(received: unknown, expected: unknown, seen = new Map<object, unknown>()): unknown {
  if (Array.isArray(received) && Array.isArray(expected) && received.length === expected.length) {
    return received.map((item, i) => objectSubset(item, expected[i], seen));
  }
  if (!isObjectWithKeys(received) || !isObjectWithKeys(expected) || Array.isArray(received)) return received;
  if (seen.has(received)) return seen.get(received);
  const result = Object.create(Object.getPrototypeOf(received)) as Record<PropertyKey, unknown>;
  seen.set(received, result);
  for (const key of ownKeys(expected)) {
    if (hasPropertyInObject(received, key)) {
      result[key] = objectSubset(get(received, key), get(expected, key), seen);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Asymmetric matchers: `expect.any(Number)`, `expect.objectContaining({...})`, …

/** A value that, inside an expected value, matches a whole class of received values. */
export class AsymmetricMatcher implements PublicAsymmetricMatcher {
  /** Under `expect.not.*`: matches what the plain one does not. */
  inverse: boolean;
  readonly name: string;
  readonly sample: unknown;
  readonly test: (other: unknown) => boolean;

  constructor(name: string, sample: unknown, test: (other: unknown) => boolean, inverse = false) {
    this.name = name;
    this.sample = sample;
    this.test = test;
    this.inverse = inverse;
  }

  asymmetricMatch(other: unknown): boolean {
    return this.test(other) !== this.inverse;
  }

  toString(): string {
    const name = this.inverse ? `Not${this.name}` : this.name;
    if (this.name === "Anything") return name;
    if (this.name === "Any") {
      const ctor = this.sample as { name?: unknown };
      return `Any<${typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "anonymous"}>`;
    }
    return `${name} ${formatSample(this.sample)}`;
  }

  // Node's inspect (and an inspect written like it) prints this instead of the object.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function formatSample(sample: unknown): string {
  try {
    return inspect(sample, { depth: INSPECT_DEPTH });
  } catch {
    return String(sample);
  }
}

function anyTest(ctor: Function): (other: unknown) => boolean {
  switch (ctor) {
    case String: return (o) => typeof o === "string" || o instanceof String;
    case Number: return (o) => typeof o === "number" || o instanceof Number;
    case Boolean: return (o) => typeof o === "boolean" || o instanceof Boolean;
    case BigInt: return (o) => typeof o === "bigint" || o instanceof BigInt;
    case Symbol: return (o) => typeof o === "symbol" || o instanceof Symbol;
    case Function: return (o) => typeof o === "function";
    case Object: return (o) => typeof o === "object" && o !== null;
    default: return (o) => o instanceof (ctor as new (...args: never[]) => unknown);
  }
}

function closeTo(expected: number, received: number, numDigits: number): boolean {
  if (expected === Infinity && received === Infinity) return true;
  if (expected === -Infinity && received === -Infinity) return true;
  return Math.abs(expected - received) < 10 ** -numDigits / 2;
}

function makeAsymmetric(inverse: boolean) {
  return {
    /** Anything but `null` and `undefined`. */
    anything: () => new AsymmetricMatcher("Anything", undefined, (o) => o !== null && o !== undefined, inverse),
    /** A value made by the class (or a primitive of the type, for `Number`, `String`, …). */
    any: (ctor: Function) => {
      if (typeof ctor !== "function") {
        throw new TypeError("expect.any() expects a class or constructor function, such as expect.any(Number)");
      }
      return new AsymmetricMatcher("Any", ctor, anyTest(ctor), inverse);
    },
    /** A string containing `substring`. */
    stringContaining: (substring: string) => {
      if (typeof substring !== "string") throw new TypeError("expect.stringContaining() expects a string");
      return new AsymmetricMatcher("StringContaining", substring,
        (o) => typeof o === "string" && o.includes(substring), inverse);
    },
    /** A string matching the pattern (a string pattern is made a RegExp). */
    stringMatching: (pattern: string | RegExp) => {
      if (typeof pattern !== "string" && !(pattern instanceof RegExp)) {
        throw new TypeError("expect.stringMatching() expects a string or a RegExp");
      }
      const regexp = new RegExp(pattern);
      return new AsymmetricMatcher("StringMatching", regexp, (o) => {
        if (typeof o !== "string") return false;
        regexp.lastIndex = 0;
        return regexp.test(o);
      }, inverse);
    },
    /** An object that has every property of `sample`, with equal (`toEqual`) values. */
    objectContaining: (sample: object) => {
      if (typeof sample !== "object" || sample === null) {
        throw new TypeError("expect.objectContaining() expects an object");
      }
      return new AsymmetricMatcher("ObjectContaining", sample, (o) => {
        if (!isObjectLike(o)) return false;
        return ownKeys(sample).every((key) => hasPropertyInObject(o, key) && equals(get(o, key), get(sample, key)));
      }, inverse);
    },
    /** An array that contains (`toEqual`) every item of `sample`, in any order. */
    arrayContaining: (sample: readonly unknown[]) => {
      if (!Array.isArray(sample)) throw new TypeError("expect.arrayContaining() expects an array");
      return new AsymmetricMatcher("ArrayContaining", sample, (o) =>
        Array.isArray(o) && sample.every((item) => o.some((other) => equals(other, item))), inverse);
    },
    /** A number within `10 ** -numDigits / 2` of `expected`. */
    closeTo: (expected: number, numDigits = 2) => {
      if (typeof expected !== "number") throw new TypeError("expect.closeTo() expects a number");
      return new AsymmetricMatcher("CloseTo", expected,
        (o) => typeof o === "number" && closeTo(expected, o, numDigits), inverse);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Matcher helpers

type Ctx = MatcherContext;

function hint(ctx: Ctx, name: string, args = "expected"): string {
  const promise = ctx.promise === "" ? "" : `${ctx.promise}.`;
  return `expect(received).${promise}${ctx.isNot ? "not." : ""}${name}(${args})`;
}

function usage(ctx: Ctx, name: string, args: string, problem: string, lines: string[] = []): never {
  throw new MatcherUsageError(
    [hint(ctx, name, args), "", `Matcher error: ${problem}`, ...(lines.length ? ["", ...lines] : [])].join("\n"),
  );
}

function withType(label: string, value: unknown): string {
  return `${label} has type:  ${typeOfLabel(value)}\n${label} has value: ${format(value)}`;
}

function typeOfLabel(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** `label` padded to `width`, then the text: lines whose values start in the same column. */
function labelled(label: string, text: string, width: number): string {
  return label.padEnd(width) + text;
}

function message(...parts: string[]): () => string {
  return () => parts.join("\n");
}

function result(pass: boolean, lines: () => string): MatcherResult {
  return { pass, message: lines };
}

/** "Expected: not X" under `.not`, "Expected: X" otherwise. */
function expectedLine(ctx: Ctx, label: string, formatted: string): string {
  return `${label}${ctx.isNot ? "not " : ""}${formatted}`;
}

function isNumeric(value: unknown): value is number | bigint {
  return typeof value === "number" || typeof value === "bigint";
}

/** How toContain and friends name the received collection. */
/** toContain/toContainEqual on an iterable: passes when an item `matches`; `extra` is a hint
 *  for a failure. */
function containment(
  context: MatcherContext,
  name: string,
  received: Iterable<unknown>,
  expected: unknown,
  matches: (item: unknown) => boolean,
  extra?: string,
): MatcherResult {
  let index = -1;
  let i = 0;
  for (const item of received) {
    if (matches(item)) {
      index = i;
      break;
    }
    i++;
  }
  const label = collectionLabel(received);
  return result(index !== -1, () => {
    const lines = [
      hint(context, name),
      "",
      expectedLine(context, "Expected value: ", format(expected)),
      labelled(`Received ${label}: `, format(received), context.isNot ? 20 : 16),
    ];
    if (context.isNot) lines.push("", `Found at index ${index}`);
    else if (extra !== undefined) lines.push("", extra);
    return lines.join("\n");
  });
}

function collectionLabel(value: unknown): string {
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  if (value instanceof Set) return "set";
  if (isObjectLike(value) && isTypedArray(value as object)) return "typed array";
  return "value";
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** `"a.b[0]['c']"` → `["a", "b", "0", "c"]`. */
function parsePath(path: string): string[] {
  const keys: string[] = [];
  let current = "";
  let i = 0;
  const flush = () => {
    keys.push(current);
    current = "";
  };
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === ".") {
      flush();
      i++;
    } else if (ch === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) {
        current += path.slice(i);
        break;
      }
      if (current !== "") flush();
      let inner = path.slice(i + 1, close);
      if (/^(['"]).*\1$/.test(inner)) inner = inner.slice(1, -1);
      current = inner;
      flush();
      i = close + 1;
      if (path[i] === ".") i++;
    } else {
      current += ch;
      i++;
    }
  }
  if (current !== "" || keys.length === 0 || path.endsWith(".")) flush();
  return keys;
}

type Thrown = { threw: boolean; value: unknown; message: string };

function describeThrown(value: unknown): Thrown {
  let message: string;
  if (value !== null && value !== undefined && typeof (value as { message?: unknown }).message === "string") {
    message = (value as { message: string }).message;
  } else {
    try {
      message = String(value);
    } catch {
      message = format(value);
    }
  }
  return { threw: true, value, message };
}

function constructorName(value: unknown): string {
  const name = typeof value === "function" ? (value as { name?: unknown }).name : undefined;
  return typeof name === "string" && name !== "" ? name : "<anonymous>";
}

function thrownLines(thrown: Thrown): string[] {
  if (!thrown.threw) return ["Received function did not throw"];
  if (isError(thrown.value)) {
    return [
      `Error name:    ${format(String(thrown.value.name))}`,
      `Error message: ${format(thrown.message)}`,
    ];
  }
  return [`Thrown value: ${format(thrown.value)}`];
}

// ---------------------------------------------------------------------------------------------
// The built-in matchers

const builtinMatchers: Record<string, BuiltinMatcher> = {
  toBe(received, expected) {
    const pass = Object.is(received, expected);
    return result(pass, () => {
      const lines = [hint(this, "toBe"), ""];
      if (this.isNot) {
        lines.push(`Expected: not ${format(expected)}`);
        return lines.join("\n");
      }
      if (isObjectLike(received) && isObjectLike(expected)) {
        if (equals(received, expected, true)) {
          lines.push(`Expected: ${format(expected)}`, `Received: ${format(received)}`);
          lines.push("", `If it should pass with deep equality, replace "toBe" with "toStrictEqual"`);
        } else if (equals(received, expected)) {
          lines.push(`Expected: ${format(expected)}`, `Received: ${format(received)}`);
          lines.push("", `If it should pass with deep equality, replace "toBe" with "toEqual"`);
        } else {
          lines.push(...expectedAndReceived(expected, received));
        }
        return lines.join("\n");
      }
      lines.push(`Expected: ${format(expected)}`, `Received: ${format(received)}`);
      if (format(received) === format(expected)) {
        lines.push("", "Received and expected print the same but are not the same value (Object.is)");
      }
      return lines.join("\n");
    });
  },

  toEqual(received, expected) {
    return equalityResult(this, "toEqual", received, expected, equals(received, expected), false);
  },

  toStrictEqual(received, expected) {
    return equalityResult(this, "toStrictEqual", received, expected, equals(received, expected, true), true);
  },

  toBeTruthy(received) {
    return result(Boolean(received), message(hint(this, "toBeTruthy", ""), "", `Received: ${format(received)}`));
  },

  toBeFalsy(received) {
    return result(!received, message(hint(this, "toBeFalsy", ""), "", `Received: ${format(received)}`));
  },

  toBeNull(received) {
    return result(received === null, message(hint(this, "toBeNull", ""), "", `Received: ${format(received)}`));
  },

  toBeUndefined(received) {
    return result(received === undefined, message(hint(this, "toBeUndefined", ""), "", `Received: ${format(received)}`));
  },

  toBeDefined(received) {
    return result(received !== undefined, message(hint(this, "toBeDefined", ""), "", `Received: ${format(received)}`));
  },

  toBeNaN(received) {
    return result(Number.isNaN(received), message(hint(this, "toBeNaN", ""), "", `Received: ${format(received)}`));
  },

  toBeGreaterThan(received, expected) {
    return comparison(this, "toBeGreaterThan", ">", received, expected, (a, b) => a > b);
  },

  toBeGreaterThanOrEqual(received, expected) {
    return comparison(this, "toBeGreaterThanOrEqual", ">=", received, expected, (a, b) => a >= b);
  },

  toBeLessThan(received, expected) {
    return comparison(this, "toBeLessThan", "<", received, expected, (a, b) => a < b);
  },

  toBeLessThanOrEqual(received, expected) {
    return comparison(this, "toBeLessThanOrEqual", "<=", received, expected, (a, b) => a <= b);
  },

  toBeCloseTo(received, expected, ...rest: unknown[]) {
    const args = rest.length > 0 ? "expected, precision" : "expected";
    const numDigits = rest.length > 0 && rest[0] !== undefined ? rest[0] : 2;
    if (typeof received !== "number") {
      usage(this, "toBeCloseTo", args, "received value must be a number", [withType("Received", received)]);
    }
    if (typeof expected !== "number") {
      usage(this, "toBeCloseTo", args, "expected value must be a number", [withType("Expected", expected)]);
    }
    if (typeof numDigits !== "number") {
      usage(this, "toBeCloseTo", args, "precision must be a number", [withType("Precision", numDigits)]);
    }
    const pass = closeTo(expected, received, numDigits);
    return result(pass, () => {
      const lines = [hint(this, "toBeCloseTo", args), ""];
      lines.push(expectedLine(this, "Expected: ", format(expected)), `Received: ${format(received)}`);
      if (!(Number.isFinite(expected) && Number.isFinite(received))) return lines.join("\n");
      const op = this.isNot ? ">=" : "<";
      lines.push(
        "",
        `Expected precision:  ${" ".repeat(op.length)} ${numDigits}`,
        `Expected difference: ${op} ${format(10 ** -numDigits / 2)}`,
        `Received difference: ${" ".repeat(op.length)} ${format(Math.abs(expected - received))}`,
      );
      return lines.join("\n");
    });
  },

  toContain(received, expected) {
    if (received === null || received === undefined) {
      usage(this, "toContain", "expected", "received value must not be null nor undefined", [withType("Received", received)]);
    }
    if (typeof received === "string") {
      if (typeof expected !== "string") {
        usage(this, "toContain", "expected", "expected value must be a string if received value is a string",
          [withType("Expected", expected), withType("Received", received)]);
      }
      const index = received.indexOf(expected);
      return result(index !== -1, message(
        hint(this, "toContain"),
        "",
        expectedLine(this, "Expected substring: ", format(expected)),
        `Received string:    ${format(received)}`,
      ));
    }
    if (!isIterable(received)) {
      usage(this, "toContain", "expected", "received value must be a string or an iterable (array, Set, …)",
        [withType("Received", received)]);
    }
    const extra = Array.isArray(received) && received.some((item) => equals(item, expected))
      ? "An item is equal to it but not the same (===): use toContainEqual for deep equality"
      : undefined;
    return containment(this, "toContain", received, expected, (item) => item === expected, extra);
  },

  toContainEqual(received, expected) {
    if (received === null || received === undefined) {
      usage(this, "toContainEqual", "expected", "received value must not be null nor undefined", [withType("Received", received)]);
    }
    if (!isIterable(received) || typeof received === "string") {
      usage(this, "toContainEqual", "expected", "received value must be an iterable (array, Set, …)",
        [withType("Received", received)]);
    }
    return containment(this, "toContainEqual", received, expected, (item) => equals(item, expected));
  },

  toHaveLength(received, expected) {
    const length = received === null || received === undefined
      ? undefined
      : (received as { length?: unknown }).length;
    if (typeof length !== "number") {
      usage(this, "toHaveLength", "expected", "received value must have a length property whose value must be a number",
        [withType("Received", received)]);
    }
    if (typeof expected !== "number" || !Number.isSafeInteger(expected) || expected < 0) {
      usage(this, "toHaveLength", "expected", "expected value must be a non-negative integer",
        [withType("Expected", expected)]);
    }
    const label = collectionLabel(received);
    return result(length === expected, message(
      hint(this, "toHaveLength"),
      "",
      expectedLine(this, "Expected length: ", format(expected)),
      ...(this.isNot ? [] : [`Received length: ${format(length)}`]),
      labelled(`Received ${label}: `, format(received), this.isNot ? 21 : 17),
    ));
  },

  toHaveProperty(received, path, ...rest: unknown[]) {
    const hasValue = rest.length > 0;
    const args = hasValue ? "path, value" : "path";
    const expectedValue = rest[0];
    if (received === null || received === undefined) {
      usage(this, "toHaveProperty", args, "received value must not be null nor undefined", [withType("Received", received)]);
    }
    let keys: PropertyKey[];
    if (typeof path === "string") {
      keys = parsePath(path);
    } else if (Array.isArray(path) && path.every((k) => typeof k === "string" || typeof k === "number" || typeof k === "symbol")) {
      keys = path as PropertyKey[];
    } else {
      usage(this, "toHaveProperty", args, "expected path must be a string or an array of keys", [withType("Expected path", path)]);
    }
    if (keys.length === 0 || (typeof path === "string" && path === "")) {
      usage(this, "toHaveProperty", args, "expected path must not be an empty array or string");
    }
    // Walk the path as far as it goes.
    let current: unknown = received;
    let reached = 0;
    let found = true;
    for (const key of keys) {
      if (current === null || current === undefined) {
        found = false;
        break;
      }
      const next = (Object(current) as Record<PropertyKey, unknown>)[key];
      const present = next !== undefined || (isObjectLike(current) && key in current);
      if (!present) {
        found = false;
        break;
      }
      current = next;
      reached++;
    }
    const pass = found && (!hasValue || equals(current, expectedValue));
    const pathText = format(path);
    const reachedText = typeof path === "string"
      ? format(keys.slice(0, reached).map(String).join("."))
      : format(keys.slice(0, reached));
    return result(pass, () => {
      const lines = [hint(this, "toHaveProperty", args), ""];
      if (this.isNot) {
        if (hasValue) {
          lines.push(`Expected path: ${pathText}`, "", `Expected value: not ${format(expectedValue)}`);
        } else {
          lines.push(`Expected path: not ${pathText}`, "");
        }
        lines.push(`Received value: ${format(current)}`);
        return lines.join("\n");
      }
      lines.push(`Expected path: ${pathText}`);
      if (!found) {
        lines.push(`Received path: ${reachedText}`, "");
        if (hasValue) lines.push(`Expected value: ${format(expectedValue)}`);
        lines.push(`Received value: ${format(current)}`);
        return lines.join("\n");
      }
      lines.push("", ...expectedAndReceived(expectedValue, current, ["Expected value: ", "Received value: "]));
      return lines.join("\n");
    });
  },

  toMatch(received, expected) {
    if (typeof received !== "string") {
      usage(this, "toMatch", "expected", "received value must be a string", [withType("Received", received)]);
    }
    if (typeof expected !== "string" && !(expected instanceof RegExp)) {
      usage(this, "toMatch", "expected", "expected value must be a string or a regular expression",
        [withType("Expected", expected)]);
    }
    const pass = typeof expected === "string" ? received.includes(expected) : new RegExp(expected).test(received);
    const label = typeof expected === "string" ? "Expected substring: " : "Expected pattern: ";
    return result(pass, message(
      hint(this, "toMatch"),
      "",
      expectedLine(this, label, format(expected)),
      `Received string: `.padEnd(label.length) + format(received),
    ));
  },

  toMatchObject(received, expected) {
    if (typeof received !== "object" || received === null) {
      usage(this, "toMatchObject", "expected", "received value must be a non-null object", [withType("Received", received)]);
    }
    if (typeof expected !== "object" || expected === null) {
      usage(this, "toMatchObject", "expected", "expected value must be a non-null object", [withType("Expected", expected)]);
    }
    const pass = deepEqual(received, expected, SUBSET, [], []);
    return result(pass, () => {
      const lines = [hint(this, "toMatchObject"), ""];
      if (this.isNot) {
        lines.push(`Expected: not ${format(expected)}`);
        if (format(received) !== format(expected)) lines.push(`Received:     ${format(received)}`);
        return lines.join("\n");
      }
      lines.push(...expectedAndReceived(expected, received, undefined, objectSubset(received, expected)));
      return lines.join("\n");
    });
  },

  toBeInstanceOf(received, expected) {
    if (typeof expected !== "function") {
      usage(this, "toBeInstanceOf", "expected", "expected value must be a function (a class)", [withType("Expected", expected)]);
    }
    const pass = received instanceof expected;
    return result(pass, () => {
      const lines = [hint(this, "toBeInstanceOf"), ""];
      lines.push(expectedLine(this, "Expected constructor: ", constructorName(expected)));
      if (isObjectLike(received)) {
        const proto = Object.getPrototypeOf(received);
        if (proto === null) {
          lines.push("", "Received value has no prototype");
        } else if (!this.isNot || proto.constructor !== expected) {
          lines.push(`Received constructor: ${constructorName(proto.constructor)}`);
        }
      }
      lines.push("", `Received value: ${format(received)}`);
      return lines.join("\n");
    });
  },

  toBeTypeOf(received, expected) {
    const names = ["string", "number", "bigint", "boolean", "symbol", "undefined", "object", "function"];
    if (typeof expected !== "string" || !names.includes(expected)) {
      usage(this, "toBeTypeOf", "expected", `expected value must be one of ${names.map((n) => `"${n}"`).join(", ")}`,
        [withType("Expected", expected)]);
    }
    const pass = typeof received === expected;
    return result(pass, message(
      hint(this, "toBeTypeOf"),
      "",
      expectedLine(this, "Expected type: ", format(expected)),
      ...(this.isNot ? [] : [`Received type: ${format(typeof received)}`]),
      `Received value: ${format(received)}`,
    ));
  },

  toThrow(received, ...args: unknown[]) {
    return throwMatcher(this, "toThrow", received, args);
  },

  toThrowError(received, ...args: unknown[]) {
    return throwMatcher(this, "toThrowError", received, args);
  },
};

function equalityResult(ctx: Ctx, name: string, received: unknown, expected: unknown, pass: boolean, strict: boolean): MatcherResult {
  return result(pass, () => {
    const lines = [hint(ctx, name), ""];
    const expectedText = format(expected);
    const receivedText = format(received);
    if (ctx.isNot) {
      lines.push(`Expected: not ${expectedText}`);
      if (receivedText !== expectedText) lines.push(`Received:     ${receivedText}`);
      return lines.join("\n");
    }
    lines.push(...expectedAndReceived(expected, received));
    if (receivedText === expectedText && diffValues(expected, received) === "") {
      lines.push("", strict
        ? "Received and expected print the same but are not strictly equal (check classes, undefined properties and array holes)"
        : "Received and expected print the same but are not equal");
    } else if (strict && equals(received, expected)) {
      lines.push("", "They are equal by toEqual, but not by toStrictEqual (classes, undefined properties or array holes differ)");
    }
    return lines.join("\n");
  });
}

function comparison(
  ctx: Ctx,
  name: string,
  operator: string,
  received: unknown,
  expected: unknown,
  compare: (a: number | bigint, b: number | bigint) => boolean,
): MatcherResult {
  if (!isNumeric(received)) {
    usage(ctx, name, "expected", "received value must be a number or bigint", [withType("Received", received)]);
  }
  if (!isNumeric(expected)) {
    usage(ctx, name, "expected", "expected value must be a number or bigint", [withType("Expected", expected)]);
  }
  const pass = compare(received, expected);
  const pad = " ".repeat(operator.length + 1);
  return result(pass, message(
    hint(ctx, name),
    "",
    `Expected:${ctx.isNot ? " not" : ""} ${operator} ${format(expected)}`,
    `Received:${ctx.isNot ? "    " : ""} ${pad}${format(received)}`,
  ));
}

function throwMatcher(ctx: Ctx, name: string, received: unknown, args: unknown[]): MatcherResult {
  const hasExpected = args.length > 0 && args[0] !== undefined;
  const expected = args[0];
  const argText = hasExpected ? "expected" : "";

  let thrown: Thrown = { threw: false, value: undefined, message: "" };
  let returnedPromise = false;
  if (ctx.promise === "rejects") {
    thrown = describeThrown(received);
  } else if (typeof received === "function") {
    try {
      const value: unknown = (received as () => unknown)();
      returnedPromise = isObjectLike(value) && typeof (value as { then?: unknown }).then === "function";
    } catch (e) {
      thrown = describeThrown(e);
    }
  } else if (ctx.promise === "") {
    usage(ctx, name, argText, "received value must be a function", [withType("Received", received)]);
  }

  const notThrownNote = () =>
    returnedPromise
      ? ["Received function did not throw (it returned a promise: use `await expect(promise).rejects." + name + "()`)"]
      : ["Received function did not throw"];

  const finish = (pass: boolean, expectedLines: string[], describe: () => string[]): MatcherResult =>
    result(pass, () => {
      const lines = [hint(ctx, name, argText), ""];
      lines.push(...expectedLines);
      if (!thrown.threw) lines.push(...(expectedLines.length ? [""] : []), ...notThrownNote());
      else lines.push(...describe());
      return lines.join("\n").replace(/\n+$/, "");
    });

  if (!hasExpected) {
    return finish(thrown.threw, [], () => [
      ctx.isNot ? (ctx.promise === "rejects" ? "Received promise rejected:" : "Received function threw:") : "",
      ...thrownLines(thrown),
    ].filter((line) => line !== ""));
  }

  if (typeof expected === "string") {
    const pass = thrown.threw && thrown.message.includes(expected);
    return finish(pass, [expectedLine(ctx, "Expected substring: ", format(expected))], () => [
      `Received message:   ${format(thrown.message)}`,
    ]);
  }

  if (expected instanceof RegExp) {
    const pass = thrown.threw && new RegExp(expected).test(thrown.message);
    return finish(pass, [expectedLine(ctx, "Expected pattern: ", format(expected))], () => [
      `Received message: ${format(thrown.message)}`,
    ]);
  }

  if (expected instanceof AsymmetricMatcher) {
    const pass = thrown.threw && expected.asymmetricMatch(thrown.value);
    return finish(pass, [expectedLine(ctx, "Expected asymmetric matcher: ", expected.toString())], () => [
      "",
      ...thrownLines(thrown),
    ]);
  }

  if (typeof expected === "function") {
    const pass = thrown.threw && thrown.value instanceof expected;
    return finish(pass, [expectedLine(ctx, "Expected constructor: ", constructorName(expected))], () => {
      const lines: string[] = [];
      if (isObjectLike(thrown.value)) {
        const proto = Object.getPrototypeOf(thrown.value);
        if (proto && (!ctx.isNot || proto.constructor !== expected)) {
          lines.push(`Received constructor: ${constructorName(proto.constructor)}`);
        }
      }
      lines.push("", ...thrownLines(thrown));
      return lines;
    });
  }

  if (typeof expected === "object" && expected !== null) {
    const expectedMessage = String((expected as { message?: unknown }).message);
    const pass = thrown.threw && thrown.message === expectedMessage;
    return finish(pass, [expectedLine(ctx, "Expected message: ", format(expectedMessage))], () => [
      `Received message: ${format(thrown.message)}`,
    ]);
  }

  usage(ctx, name, argText, "expected value must be a string, a regular expression, a class, or an error",
    [withType("Expected", expected)]);
}

// ---------------------------------------------------------------------------------------------
// Running matchers

type PromiseMode = "" | "resolves" | "rejects";

const utils: MatcherUtils = {
  format,
  matcherHint: (name, args) => `expect(received).${name}(${args ?? "expected"})`,
  diff: (expected, received) => diffValues(expected, received),
};

function makeContext(isNot: boolean, promise: PromiseMode): MatcherContext {
  return {
    isNot,
    promise,
    equals,
    utils: {
      ...utils,
      matcherHint: (name, args) =>
        hint({ isNot, promise } as MatcherContext, name, args ?? "expected"),
    },
  };
}

/** Runs `matcher` on `received`; throws an AssertionError (stack from `frames`) if it fails. */
function runMatcher(
  name: string,
  matcher: CustomMatcher,
  received: unknown,
  args: unknown[],
  isNot: boolean,
  promise: PromiseMode,
  frames: () => string | undefined,
): void {
  const ctx = makeContext(isNot, promise);
  let outcome: MatcherResult;
  try {
    outcome = matcher.call(ctx, received, ...args);
  } catch (e) {
    if (e instanceof MatcherUsageError) {
      const error = new AssertionError(e.message, { actual: received, expected: args[0], matcherName: name });
      setStack(error, frames());
      throw error;
    }
    throw e;
  }
  if (outcome === null || typeof outcome !== "object" || typeof outcome.pass !== "boolean") {
    throw new TypeError(`matcher "${name}" must return an object { pass: boolean, message: () => string }`);
  }
  if (outcome.pass !== isNot) return;
  let text: string;
  try {
    text = typeof outcome.message === "function" ? String(outcome.message()) : String(outcome.message);
  } catch (e) {
    text = `${hint(ctx, name)}\n\n(the matcher's message threw: ${String(e)})`;
  }
  const error = new AssertionError(text, { actual: received, expected: args[0], matcherName: name });
  setStack(error, frames());
  throw error;
}

const STATE = Symbol("expect.state");

interface State {
  received: unknown;
  isNot: boolean;
  promise: PromiseMode;
}

interface ExpectationObject {
  [STATE]: State;
}

const expectationPrototype: object = {};

function makeExpectation(state: State): ExpectationObject {
  const object = Object.create(expectationPrototype) as ExpectationObject;
  Object.defineProperty(object, STATE, { value: state });
  return object;
}

function stateOf(self: unknown, name: string): State {
  const state = isObjectLike(self) ? (self as Partial<ExpectationObject>)[STATE] : undefined;
  if (!state) throw new TypeError(`${name} must be called on the result of expect(value)`);
  return state;
}

Object.defineProperties(expectationPrototype, {
  not: {
    get(this: ExpectationObject) {
      const state = stateOf(this, "not");
      return makeExpectation({ ...state, isNot: !state.isNot });
    },
  },
  resolves: {
    get(this: ExpectationObject) {
      const state = stateOf(this, "resolves");
      if (state.promise !== "") throw new TypeError(`.resolves cannot follow .${state.promise}`);
      return makeExpectation({ ...state, promise: "resolves" });
    },
  },
  rejects: {
    get(this: ExpectationObject) {
      const state = stateOf(this, "rejects");
      if (state.promise !== "") throw new TypeError(`.rejects cannot follow .${state.promise}`);
      return makeExpectation({ ...state, promise: "rejects" });
    },
  },
});

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof (value as { then?: unknown }).then === "function";
}

function installMatcher(name: string, matcher: CustomMatcher): void {
  // A named function expression, so stack capture can start right above it.
  const method = function (this: ExpectationObject, ...args: unknown[]): void | Promise<void> {
    const state = stateOf(this, name);
    if (state.promise === "") {
      runMatcher(name, matcher, state.received, args, state.isNot, "", () => callSiteFrames(method));
      return;
    }
    // resolves / rejects: the stack is taken now, while the test's frame is still on it.
    const frames = callSiteFrames(method);
    const promise = state.promise;
    const ctx = makeContext(state.isNot, promise);
    const argText = args.length === 0 ? "" : "expected";
    const fail = (text: string, actual: unknown) => {
      const error = new AssertionError(text, { actual, expected: args[0], matcherName: name });
      setStack(error, frames);
      return Promise.reject(error);
    };
    let subject = state.received;
    if (typeof subject === "function") {
      try {
        subject = (subject as () => unknown)();
      } catch (e) {
        subject = Promise.reject(e);
      }
    }
    if (!isThenable(subject)) {
      return fail([
        hint(ctx, name, argText),
        "",
        "Matcher error: received value must be a promise or a function returning a promise",
        "",
        withType("Received", subject),
      ].join("\n"), subject);
    }
    return Promise.resolve(subject).then(
      (value) => {
        if (promise === "rejects") {
          return fail([hint(ctx, name, argText), "", "Received promise resolved instead of rejected", `Resolved to value: ${format(value)}`].join("\n"), value);
        }
        runMatcher(name, matcher, value, args, state.isNot, promise, () => frames);
      },
      (reason: unknown) => {
        if (promise === "resolves") {
          return fail([hint(ctx, name, argText), "", "Received promise rejected instead of resolved", `Rejected to value: ${format(reason)}`].join("\n"), reason);
        }
        runMatcher(name, matcher, reason, args, state.isNot, promise, () => frames);
      },
    );
  };
  Object.defineProperty(method, "name", { value: name });
  Object.defineProperty(expectationPrototype, name, {
    value: method,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

for (const name of Object.keys(builtinMatchers)) installMatcher(name, builtinMatchers[name]!);

// ---------------------------------------------------------------------------------------------
// expect

export interface Expect {
  <T>(value: T): Expectations<T>;
  /** Adds matchers: each receives the value and the matcher's arguments, returns `{ pass, message }`. */
  extend(matchers: Record<string, CustomMatcher>): void;
  /** Anything but `null` and `undefined`. */
  anything(): PublicAsymmetricMatcher;
  /** An instance of the class; for `Number`, `String`, `Boolean`, `BigInt`, `Symbol`, also primitives. */
  any(ctor: Constructor | Function): PublicAsymmetricMatcher;
  stringContaining(substring: string): PublicAsymmetricMatcher;
  stringMatching(pattern: string | RegExp): PublicAsymmetricMatcher;
  objectContaining(sample: object): PublicAsymmetricMatcher;
  arrayContaining(sample: readonly unknown[]): PublicAsymmetricMatcher;
  closeTo(expected: number, numDigits?: number): PublicAsymmetricMatcher;
  /** The asymmetric matchers, inverted. */
  readonly not: {
    stringContaining(substring: string): PublicAsymmetricMatcher;
    stringMatching(pattern: string | RegExp): PublicAsymmetricMatcher;
    objectContaining(sample: object): PublicAsymmetricMatcher;
    arrayContaining(sample: readonly unknown[]): PublicAsymmetricMatcher;
    closeTo(expected: number, numDigits?: number): PublicAsymmetricMatcher;
  };
}

function expectFunction<T>(value: T): Expectations<T> {
  return makeExpectation({ received: value, isNot: false, promise: "" }) as unknown as Expectations<T>;
}

const positive = makeAsymmetric(false);
const negative = makeAsymmetric(true);

/** `expect(value).toBe(…)`, `.not.toEqual(…)`, `await expect(promise).rejects.toThrow(…)`, … */
export const expect: Expect = Object.assign(expectFunction, {
  extend(matchers: Record<string, CustomMatcher>): void {
    if (typeof matchers !== "object" || matchers === null) {
      throw new TypeError("expect.extend() expects an object of matcher functions");
    }
    for (const name of Object.keys(matchers)) {
      const matcher = matchers[name];
      if (typeof matcher !== "function") {
        throw new TypeError(`expect.extend(): matcher "${name}" must be a function`);
      }
      if (name === "not" || name === "resolves" || name === "rejects") {
        throw new TypeError(`expect.extend(): "${name}" cannot be used as a matcher name`);
      }
      installMatcher(name, matcher);
    }
  },
  anything: positive.anything,
  any: positive.any,
  stringContaining: positive.stringContaining,
  stringMatching: positive.stringMatching,
  objectContaining: positive.objectContaining,
  arrayContaining: positive.arrayContaining,
  closeTo: positive.closeTo,
  not: {
    stringContaining: negative.stringContaining,
    stringMatching: negative.stringMatching,
    objectContaining: negative.objectContaining,
    arrayContaining: negative.arrayContaining,
    closeTo: negative.closeTo,
  },
});
