// `uringy:test`: the test framework that `uringy test` runs files with.
//
// Add a matcher's type for `expect.extend` by merging into `Matchers`:
//
//   declare module "uringy:test" {
//     interface Matchers<R, T> { toBeEven(): R }
//   }

declare module "uringy:test" {
  /** A test body; each test runs in its own fiber, so it may block on IO or return a promise. */
  export type TestFunction = () => void | Promise<void>;

  export interface TestOptions {
    /** Milliseconds before the test fails as timed out (instead of the default limit). */
    timeout?: number;
  }

  export interface Test {
    /** Registers a test; `options` may also be the time limit in milliseconds. */
    (name: string, fn: TestFunction, options?: TestOptions | number): void;
    /** Registers a test that is not run (counted as skipped). */
    skip(name: string, fn: TestFunction, options?: TestOptions | number): void;
    /** Registers a test; when any test is `only`, only those run (the rest count as skipped). */
    only(name: string, fn: TestFunction, options?: TestOptions | number): void;
    /** Registers a test still to be written (counted as skipped). */
    todo(name: string, fn?: TestFunction): void;
  }

  export interface Describe {
    /** Groups the tests that `fn` registers; their names are prefixed with `name`. */
    (name: string, fn: () => void): void;
    /** A group whose tests are not run. */
    skip(name: string, fn: () => void): void;
    /** A group whose tests run as if each were `test.only`. */
    only(name: string, fn: () => void): void;
  }

  export const test: Test;
  /** Same as `test`. */
  export const it: Test;
  export const describe: Describe;

  /** Runs before each test in the current group (or file), outer hooks first. May return a promise. */
  export function beforeEach(fn: TestFunction): void;
  /** Runs after each test in the current group (or file), inner hooks first. May return a promise. */
  export function afterEach(fn: TestFunction): void;
  /** Runs once before the first test of the current group (or file). May return a promise. */
  export function beforeAll(fn: TestFunction): void;
  /** Runs once after the last test of the current group (or file). May return a promise. */
  export function afterAll(fn: TestFunction): void;

  // -------------------------------------------------------------------------------------------
  // expect

  /** A class (anything `instanceof` accepts on its right). */
  export type Constructor = abstract new (...args: never[]) => unknown;

  /** What `toThrow` accepts: a substring, a pattern, a class, an error (its message), a matcher. */
  export type ThrowExpectation = string | RegExp | Constructor | { readonly message: string } | AsymmetricMatcher;

  export type TypeOfName = "string" | "number" | "bigint" | "boolean" | "symbol" | "undefined" | "object" | "function";

  /**
   * The matchers. `R` is `void` for plain expectations (they throw `AssertionError` on failure)
   * and `Promise<void>` after `.resolves` / `.rejects` (the promise rejects on failure).
   * `T` is the type of the value given to `expect`.
   */
  export interface Matchers<R, T = unknown> {
    /** `Object.is` equality. */
    toBe(expected: unknown): R;
    /**
     * Recursive equality: properties holding `undefined` are ignored and classes are not
     * compared; Map, Set, Date, RegExp, typed arrays, ArrayBuffer and Error (name and message)
     * compare by content; cycles are handled.
     */
    toEqual(expected: unknown): R;
    /** Like `toEqual`, but `undefined` properties, array holes and prototypes count too. */
    toStrictEqual(expected: unknown): R;
    toBeTruthy(): R;
    toBeFalsy(): R;
    toBeNull(): R;
    toBeUndefined(): R;
    /** Anything but `undefined`. */
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
    /** The value's `length` property. */
    toHaveLength(expected: number): R;
    /**
     * The property at `path` (`"a.b[0].c"` or `["a", "b", 0, "c"]`) exists (own or inherited);
     * with `value`, it is also `toEqual` to it.
     */
    toHaveProperty(path: string | readonly (string | number)[], value?: unknown): R;
    /** A string that matches the RegExp, or contains the substring. */
    toMatch(expected: RegExp | string): R;
    /** Every property of `expected` is in the value with an equal value, recursively a subset. */
    toMatchObject(expected: object): R;
    toBeInstanceOf(expected: Constructor): R;
    /** `typeof value === expected`. */
    toBeTypeOf(expected: TypeOfName): R;
    /**
     * The function throws (after `.rejects`: the promise rejects): anything, with no argument;
     * an error whose message contains the string or matches the RegExp; an instance of the
     * class; an error with the same message as the given error.
     */
    toThrow(expected?: ThrowExpectation): R;
    /** Same as `toThrow`. */
    toThrowError(expected?: ThrowExpectation): R;
  }

  /** What `expect(value)` returns. */
  export interface Expectations<T = unknown> extends Matchers<void, T> {
    /** The matchers, inverted. */
    readonly not: Matchers<void, T>;
    /** Waits for the promise (or the promise a function returns) to fulfil, then matches its value. */
    readonly resolves: AsyncExpectations<Awaited<T>>;
    /** Waits for the promise (or the promise a function returns) to reject, then matches the reason. */
    readonly rejects: AsyncExpectations<unknown>;
  }

  /** The matchers after `.resolves` / `.rejects`: each returns a promise to `await`. */
  export interface AsyncExpectations<T = unknown> extends Matchers<Promise<void>, T> {
    readonly not: Matchers<Promise<void>, T>;
  }

  /** A value that, inside an expected value, matches a whole class of received values. Made by
   *  `expect.any()`, `expect.objectContaining()`, …: an object of your own with these methods is
   *  compared as an ordinary value. */
  export interface AsymmetricMatcher {
    asymmetricMatch(other: unknown): boolean;
    toString(): string;
  }

  /** What a matcher returns. */
  export interface MatcherResult {
    pass: boolean;
    /** The failure message (shown when `pass` is not what was wanted). */
    message: () => string;
  }

  /** `this` inside a matcher given to `expect.extend`. */
  export interface MatcherContext {
    /** The matcher runs under `.not`. */
    readonly isNot: boolean;
    /** `"resolves"` or `"rejects"` when it runs after one of them, else `""`. */
    readonly promise: "" | "resolves" | "rejects";
    /** `toEqual` (with `strict`: `toStrictEqual`) equality. */
    equals(a: unknown, b: unknown, strict?: boolean): boolean;
    readonly utils: MatcherUtils;
  }

  /** Helpers for a matcher's failure message (`this.utils`). */
  export interface MatcherUtils {
    /** A value as failure messages show it. */
    format(value: unknown): string;
    /** `expect(received)[.resolves][.not].name(args)`, the first line of a failure message. */
    matcherHint(name: string, args?: string): string;
    /** A line diff (`- expected` / `+ received`) of two values, or "" where it adds nothing. */
    diff(expected: unknown, received: unknown): string;
  }

  export type CustomMatcher = (this: MatcherContext, received: any, ...args: any[]) => MatcherResult;

  export interface Expect {
    <T>(value: T): Expectations<T>;
    /** Adds matchers to every expectation (declare their types by merging into `Matchers`). */
    extend(matchers: Record<string, CustomMatcher>): void;
    /** Anything but `null` and `undefined`. */
    anything(): AsymmetricMatcher;
    /** An instance of the class; for `Number`, `String`, `Boolean`, `BigInt`, `Symbol` also primitives. */
    any(ctor: Constructor | Function): AsymmetricMatcher;
    /** A string containing `substring`. */
    stringContaining(substring: string): AsymmetricMatcher;
    /** A string matching `pattern`. */
    stringMatching(pattern: string | RegExp): AsymmetricMatcher;
    /** An object with (at least) the properties of `sample`, with `toEqual` values. */
    objectContaining(sample: object): AsymmetricMatcher;
    /** An array containing every item of `sample` (by `toEqual`), in any order. */
    arrayContaining(sample: readonly unknown[]): AsymmetricMatcher;
    /** A number within `10 ** -numDigits / 2` of `expected` (`numDigits` defaults to 2). */
    closeTo(expected: number, numDigits?: number): AsymmetricMatcher;
    /** Inverted asymmetric matchers. */
    readonly not: {
      stringContaining(substring: string): AsymmetricMatcher;
      stringMatching(pattern: string | RegExp): AsymmetricMatcher;
      objectContaining(sample: object): AsymmetricMatcher;
      arrayContaining(sample: readonly unknown[]): AsymmetricMatcher;
      closeTo(expected: number, numDigits?: number): AsymmetricMatcher;
    };
  }

  /** `expect(value).toBe(…)`, `.not.toEqual(…)`, `await expect(promise).rejects.toThrow(…)`, … */
  export const expect: Expect;

  export interface AssertionErrorDetails {
    actual?: unknown;
    expected?: unknown;
    matcherName?: string;
  }

  /** Thrown by a failing expectation. Its message shows the matcher, and what was expected and received. */
  export class AssertionError extends Error {
    /** Also true of an AssertionError from another copy of the module (`uringy:test` and
     *  lib/internal/expect.ts imported by path). */
    static [Symbol.hasInstance](value: unknown): boolean;
    constructor(message: string, details?: AssertionErrorDetails);
    /** The received value. */
    actual: unknown;
    /** The expected value (the matcher's first argument). */
    expected: unknown;
    /** `"toBe"`, `"toEqual"`, …; `""` when not raised by a matcher. */
    matcherName: string;
  }
}
