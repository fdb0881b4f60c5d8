// Runs the tests one test file registered; driven by the runtime's test-file mode
// (runtime/src/engine/mod.rs, `run_tests`).
//
// Test code never runs beneath this runner's own frames: every hook and test body is started
// from a timer callback. When the runtime interrupts code that ran past its time limit, or
// an error escapes to the top, only that call unwinds; the runtime then calls `onUncaught`,
// which fails the running test, and the runner goes on with the next one.

import ops from "uringy:ops";
import { fullName, hasOnly, root, type Body, type Suite, type TestCase } from "./test_registry.ts";
import { inspect } from "./inspect.ts";

const { op_test_set_deadline, op_timer_start, op_timer_clear, op_io_write_sync, op_time_now } = ops;

const DEFAULT_TIMEOUT_MS = 5000;
/** The synchronous stop comes a little after the asynchronous one, so that a test that is
 *  merely waiting fails by its own timer. */
const SYNC_MARGIN_MS = 100;

let abortCurrent: ((error: unknown) => void) | undefined;
const summary = { passed: 0, failed: 0, skipped: 0 };

function out(line: string): void {
  op_io_write_sync(1, line + "\n");
}

/** Called by the runtime for an error no test code caught; true when a test took it. */
export function onUncaught(error: unknown, timedOut: boolean): boolean {
  if (abortCurrent === undefined) return false;
  abortCurrent(timedOut ? new TestFailure("timed out: synchronous code ran past the test's time limit") : error);
  return true;
}

/** Runs `fn` from a fresh timer callback; settles when it (or its promise) does, or fails at
 *  `timeout` ms. */
function invoke(fn: Body, timeout: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer = 0;
    const settle = (error?: unknown, failed = false) => {
      if (abortCurrent === undefined) return;
      abortCurrent = undefined;
      op_timer_clear(timer);
      op_test_set_deadline(-1);
      if (failed) reject(error);
      else resolve();
    };
    abortCurrent = (error) => settle(error, true);
    timer = op_timer_start(() => settle(new TestFailure(`timed out after ${timeout} ms`), true), timeout, false);
    op_timer_start(() => {
      op_test_set_deadline(timeout + SYNC_MARGIN_MS);
      let result: unknown;
      try {
        result = fn();
      } catch (error) {
        settle(error, true);
        return;
      }
      Promise.resolve(result).then(() => settle(), (error) => settle(error, true));
    }, 0, false);
  });
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

/** A failure the runner itself declares (a time limit): its own stack would say nothing. */
class TestFailure extends Error {
  constructor(message: string) {
    super(message);
    this.stack = "";
  }
}

/** The error, indented, without the runner's own frames. */
function describe(error: unknown): string {
  const text = error instanceof TestFailure ? `${error.message}` : inspect(error);
  return text.split("\n").filter((line) => !line.includes("(uringy:internal/test_run:"))
    .map((line) => "    " + line).join("\n");
}

async function runTest(test: TestCase): Promise<void> {
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
    for (const suite of chain) for (const hook of suite.beforeEach) await invoke(hook, timeout);
    await invoke(test.fn, timeout);
  } catch (error) {
    errors.push(error);
  }
  for (const suite of chain.reverse()) {
    for (const hook of suite.afterEach) {
      try {
        await invoke(hook, timeout);
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
async function runSuite(suite: Suite): Promise<void> {
  const tests = collect(suite);
  const runs = tests.some((t) => selected(t) === "run");
  let setupError: unknown;
  if (runs) {
    try {
      for (const hook of suite.beforeAll) await invoke(hook, DEFAULT_TIMEOUT_MS);
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
      if ("children" in child) await runSuite(child);
      else await runTest(child);
    }
  }
  if (runs) {
    for (const hook of suite.afterAll) {
      try {
        await invoke(hook, DEFAULT_TIMEOUT_MS);
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

/** Loads the test file, then runs what it registered; resolves with the counts. */
export async function start(file: string): Promise<typeof summary> {
  await import(file);
  await runSuite(root);
  return summary;
}
