// Runs the tests one test file registered; driven by the runtime's test-file mode
// (runtime/src/engine/mod.rs), on the root fiber.
//
// Each hook and test body runs on a fiber of its own inside `timeout(limit, …)`: whatever it
// starts (fibers, timers) belongs to it, so a failure anywhere below fails that test only, and
// a test still waiting at its limit is cancelled. Code that never waits (a synchronous loop) is
// stopped by the runtime's interrupt a little after the limit.

import ops from "uringy:ops";
import { spawn, timeout, wait, TimeoutError } from "../fiber.ts";
import { fullName, hasOnly, root, type Body, type Suite, type TestCase } from "./test_registry.ts";
import { inspect } from "./inspect.ts";

const { op_test_set_deadline, op_io_write_sync, op_time_now } = ops;

const DEFAULT_TIMEOUT_MS = 5000;
/** The synchronous stop comes a little after the time limit, so that a test that is merely
 *  waiting fails by its own timeout. */
const SYNC_MARGIN_MS = 100;

const summary = { passed: 0, failed: 0, skipped: 0 };

function out(line: string): void {
  op_io_write_sync(1, line + "\n");
}

/** A failure the runner itself declares: its stack would say nothing. */
class TestFailure extends Error {
  constructor(message: string) {
    super(message);
    this.stack = "";
  }
}

/** Runs `fn` on its own fiber within `limit` ms; throws what it threw. */
function invoke(fn: Body, limit: number): void {
  const fiber = spawn(() =>
    timeout(limit, () => {
      op_test_set_deadline(limit + SYNC_MARGIN_MS);
      try {
        const result = fn();
        if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
          wait(result as PromiseLike<unknown>);
        }
      } finally {
        op_test_set_deadline(-1);
      }
    })
  );
  try {
    fiber.join();
  } catch (error) {
    if (error instanceof TimeoutError) throw new TestFailure(`timed out after ${limit} ms`);
    if (error instanceof Error && error.name === "InternalError" && error.message === "interrupted") {
      throw new TestFailure(`timed out: synchronous code ran past the test's time limit (${limit} ms)`);
    }
    throw error;
  }
}

function selected(test: TestCase): "run" | "skip" {
  if (test.mode === "skip" || test.mode === "todo") return "skip";
  let only = test.mode === "only";
  for (let s: Suite | undefined = test.suite; s; s = s.parent) {
    if (s.mode === "skip") return "skip";
    if (s.mode === "only") only = true;
  }
  return hasOnly && !only ? "skip" : "run";
}

function suites(test: TestCase): Suite[] {
  const chain: Suite[] = [];
  for (let s: Suite | undefined = test.suite; s; s = s.parent) chain.unshift(s);
  return chain;
}

/** The error, indented, without the runner's own frames. */
function describe(error: unknown): string {
  const text = error instanceof TestFailure ? `${error.message}` : inspect(error);
  return text.split("\n").filter((line) => !/\(uringy:(fiber|internal\/test_run):/.test(line))
    .map((line) => "    " + line).join("\n");
}

function runTest(test: TestCase): void {
  const name = fullName(test);
  if (selected(test) === "skip") {
    summary.skipped++;
    out(`  - ${name} (${test.mode === "todo" ? "todo" : "skipped"})`);
    return;
  }
  const timeout = test.timeout ?? DEFAULT_TIMEOUT_MS;
  const chain = suites(test);
  const started = op_time_now();
  const errors: unknown[] = [];
  try {
    for (const suite of chain) for (const hook of suite.beforeEach) invoke(hook, timeout);
    invoke(test.fn, timeout);
  } catch (error) {
    errors.push(error);
  }
  for (const suite of chain.reverse()) {
    for (const hook of suite.afterEach) {
      try {
        invoke(hook, timeout);
      } catch (error) {
        errors.push(error);
      }
    }
  }
  const ms = (op_time_now() - started).toFixed(1);
  if (errors.length === 0) {
    summary.passed++;
    out(`  ✓ ${name} (${ms} ms)`);
  } else {
    summary.failed++;
    out(`  ✗ ${name} (${ms} ms)`);
    for (const error of errors) out(describe(error));
  }
}

/** Runs a suite's tests in order, with its beforeAll/afterAll around them. */
function runSuite(suite: Suite): void {
  const tests = collect(suite);
  const runs = tests.some((t) => selected(t) === "run");
  let setupError: unknown;
  if (runs) {
    try {
      for (const hook of suite.beforeAll) invoke(hook, DEFAULT_TIMEOUT_MS);
    } catch (error) {
      setupError = error ?? new Error("beforeAll failed");
    }
  }
  if (setupError !== undefined) {
    for (const test of tests) {
      summary.failed++;
      out(`  ✗ ${fullName(test)} (beforeAll failed)`);
    }
    out(describe(setupError));
  } else {
    for (const child of suite.children) {
      if ("children" in child) runSuite(child);
      else runTest(child);
    }
  }
  if (runs) {
    for (const hook of suite.afterAll) {
      try {
        invoke(hook, DEFAULT_TIMEOUT_MS);
      } catch (error) {
        summary.failed++;
        out(`  ✗ afterAll of ${suite.name || "the file"}`);
        out(describe(error));
      }
    }
  }
}

function collect(suite: Suite): TestCase[] {
  return suite.children.flatMap((c) => ("children" in c ? collect(c) : [c]));
}

/** Loads the test file, then runs what it registered; returns the counts. */
export function start(file: string): typeof summary {
  wait(import(file));
  runSuite(root);
  return summary;
}
