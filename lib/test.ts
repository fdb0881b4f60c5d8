// `uringy:test` — tests as Jest, Bun and Vitest users write them. `uringy test` runs each
// file in its own process; each test with a time limit (default 5 s) that also stops code
// stuck in a synchronous loop.

import { addHook, addSuite, addTest, type Body } from "./internal/test_registry.ts";

export { expect, AssertionError } from "./internal/expect.ts";

interface TestOptions {
  /** Milliseconds before the test fails as timed out. */
  timeout?: number;
}

type TestFn = (name: string, fn: Body, options?: TestOptions | number) => void;

function timeoutOf(options: TestOptions | number | undefined): number | undefined {
  return typeof options === "number" ? options : options?.timeout;
}

export const test: TestFn & { skip: TestFn; only: TestFn; todo: (name: string, fn?: Body) => void } = Object.assign(
  (name: string, fn: Body, options?: TestOptions | number) => addTest(name, fn, "run", timeoutOf(options)),
  {
    skip: (name: string, fn: Body) => addTest(name, fn, "skip"),
    only: (name: string, fn: Body, options?: TestOptions | number) => addTest(name, fn, "only", timeoutOf(options)),
    todo: (name: string, fn?: Body) => addTest(name, fn ?? (() => {}), "todo"),
  },
);
export const it = test;

type DescribeFn = (name: string, body: () => void) => void;

export const describe: DescribeFn & { skip: DescribeFn; only: DescribeFn } = Object.assign(
  (name: string, body: () => void) => addSuite(name, body, "run"),
  {
    skip: (name: string, body: () => void) => addSuite(name, body, "skip"),
    only: (name: string, body: () => void) => addSuite(name, body, "only"),
  },
);

export const beforeAll = (fn: Body): void => addHook("beforeAll", fn);
export const afterAll = (fn: Body): void => addHook("afterAll", fn);
export const beforeEach = (fn: Body): void => addHook("beforeEach", fn);
export const afterEach = (fn: Body): void => addHook("afterEach", fn);
