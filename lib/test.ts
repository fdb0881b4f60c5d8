// `uringy:test` — tests as Jest, Bun and Vitest users write them. `uringy test` runs each
// file in its own process; each test with a time limit (default 5 s) that also stops code
// stuck in a synchronous loop.

import { addHook, addSuite, addTest } from "./internal/test_registry.ts";

export { expect, AssertionError } from "./internal/expect.ts";
export type { PublicAsymmetricMatcher as AsymmetricMatcher } from "./internal/expect.ts";
export type {
  AssertionErrorDetails, AsyncExpectations, Constructor, CustomMatcher, Expect, Expectations,
  MatcherContext, MatcherResult, Matchers, MatcherUtils, ThrowExpectation, TypeOfName,
} from "./internal/expect.ts";

/** A test body; each test runs in its own fiber, so it may block on IO or return a promise. */
export type TestFunction = () => void | Promise<void>;

export interface TestOptions {
  /** Milliseconds before the test fails as timed out. */
  timeout?: number;
}

export interface Test {
  (name: string, fn: TestFunction, options?: TestOptions | number): void;
  skip(name: string, fn: TestFunction, options?: TestOptions | number): void;
  only(name: string, fn: TestFunction, options?: TestOptions | number): void;
  todo(name: string, fn?: TestFunction): void;
}

export interface Describe {
  (name: string, fn: () => void): void;
  skip(name: string, fn: () => void): void;
  only(name: string, fn: () => void): void;
}

function timeoutOf(options: TestOptions | number | undefined): number | undefined {
  return typeof options === "number" ? options : options?.timeout;
}

export const test: Test = Object.assign(
  (name: string, fn: TestFunction, options?: TestOptions | number) => addTest(name, fn, "run", timeoutOf(options)),
  {
    // A skipped test never runs, so its time limit does not matter.
    skip: (name: string, fn: TestFunction) => addTest(name, fn, "skip"),
    only: (name: string, fn: TestFunction, options?: TestOptions | number) => addTest(name, fn, "only", timeoutOf(options)),
    todo: (name: string, fn?: TestFunction) => addTest(name, fn ?? (() => {}), "todo"),
  },
);
export const it: Test = test;

export const describe: Describe = Object.assign(
  (name: string, body: () => void) => addSuite(name, body, "run"),
  {
    skip: (name: string, body: () => void) => addSuite(name, body, "skip"),
    only: (name: string, body: () => void) => addSuite(name, body, "only"),
  },
);

export const beforeAll = (fn: TestFunction): void => addHook("beforeAll", fn);
export const afterAll = (fn: TestFunction): void => addHook("afterAll", fn);
export const beforeEach = (fn: TestFunction): void => addHook("beforeEach", fn);
export const afterEach = (fn: TestFunction): void => addHook("afterEach", fn);
