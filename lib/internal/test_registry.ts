// The tests a test file registers through `uringy:test`, as a tree of suites.

export type Body = () => unknown;
export type Mode = "run" | "skip" | "only" | "todo";

export interface TestCase {
  name: string;
  fn: Body;
  mode: Mode;
  timeout: number | undefined;
  suite: Suite;
}

export interface Suite {
  name: string;
  mode: Mode;
  parent: Suite | undefined;
  children: (Suite | TestCase)[];
  beforeAll: Body[];
  afterAll: Body[];
  beforeEach: Body[];
  afterEach: Body[];
}

function suite(name: string, mode: Mode, parent: Suite | undefined): Suite {
  return { name, mode, parent, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

export const root: Suite = suite("", "run", undefined);
let current: Suite = root;
/** Whether any test or suite is marked `only`: then only those run. */
export let hasOnly = false;

export function addTest(name: string, fn: Body, mode: Mode, timeout?: number): void {
  if (typeof name !== "string") throw new TypeError("test(name, fn): name must be a string");
  if (typeof fn !== "function" && mode !== "todo") throw new TypeError(`test("${name}", fn): fn must be a function`);
  if (mode === "only") hasOnly = true;
  current.children.push({ name, fn, mode, timeout, suite: current });
}

export function addSuite(name: string, body: () => void, mode: Mode): void {
  if (mode === "only") hasOnly = true;
  const child = suite(name, mode, current);
  current.children.push(child);
  current = child;
  try {
    const result = body() as unknown;
    if (result instanceof Promise) {
      throw new TypeError(`describe("${name}"): the body must register tests synchronously; use beforeAll for async setup`);
    }
  } finally {
    current = child.parent ?? root;
  }
}

export function addHook(kind: "beforeAll" | "afterAll" | "beforeEach" | "afterEach", fn: Body): void {
  if (typeof fn !== "function") throw new TypeError(`${kind}(fn): fn must be a function`);
  current[kind].push(fn);
}

/** "suite > inner > test". */
export function fullName(test: TestCase): string {
  const names = [test.name];
  for (let s: Suite | undefined = test.suite; s && s !== root; s = s.parent) names.unshift(s.name);
  return names.join(" > ");
}
