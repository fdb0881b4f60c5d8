// `uringy:fiber`: one test (or more) for each rule of API.md's `uringy:fiber`, named after it.
//
// Every test body runs on a fiber of its own inside a time limit, so it may wait directly.
// A failure that must not reach the test's own fiber is kept inside a fiber the test joins
// (a failure received by join() goes no further, rule 7).
//
// Rules 1 and 7's "reaching the root" need a whole process: see runtime/tests/fibers.rs.

import { test, expect, describe } from "uringy:test";
import {
  spawn, current, yieldNow, sleep, checkpoint, wait, scope, timeout, shield, Cancelled, TimeoutError,
  type Fiber,
} from "uringy:fiber";
import { Channel } from "uringy:sync";
import { thrown as caught } from "./helpers.ts";

const now = (): number => performance.now();

/** Elapsed ms of `fn`, which must not throw. */
function timed(fn: () => void): number {
  const started = now();
  fn();
  return now() - started;
}

/** A promise that resolves with `value` after `ms`, through a timer. */
function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

// A very long wait: a cancellation that works ends it in milliseconds, well inside a test's
// 5 s limit; one that does not shows as a slow test or a timeout.
const LONG = 3000;
// Within this, "at once" happened.
const SOON = 1000;

describe("rule 1: the root fiber", () => {
  test("rule 1: code runs on a fiber: current() names it and it may wait", () => {
    const me = current();
    expect(me.done).toBe(false);
    sleep(1);
    expect(current()).toBe(me);
  });
});

describe("rule 2: spawn makes a child of the calling fiber", () => {
  test("rule 2: cancelling a parent cancels the child it spawned", () => {
    let child!: Fiber;
    const parent = spawn(() => {
      child = spawn(() => sleep(LONG));
      sleep(LONG);
    });
    sleep(2);
    parent.cancel();
    expect(child.cancelled).toBe(true);
    expect(caught(() => parent.join())).toBeInstanceOf(Cancelled);
    expect(child.done).toBe(true);
  });

  test("rule 2: the tree reaches every level: a grandchild is below its grandparent", () => {
    let grandchild!: Fiber;
    const top = spawn(() => {
      spawn(() => {
        grandchild = spawn(() => sleep(LONG));
      });
    });
    sleep(2);
    expect(top.done).toBe(false); // it waits for its grandchild (rule 3)
    const elapsed = timed(() => {
      top.cancel();
      expect(caught(() => grandchild.join())).toBeInstanceOf(Cancelled);
      top.join();
    });
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 2: cancelling a child cancels neither its parent nor its siblings", () => {
    const a = spawn(() => sleep(LONG));
    const b = spawn(() => {
      sleep(10);
      return "b";
    });
    sleep(1);
    a.cancel();
    expect(caught(() => a.join())).toBeInstanceOf(Cancelled);
    expect(b.cancelled).toBe(false);
    expect(current().cancelled).toBe(false);
    expect(b.join()).toBe("b");
    sleep(1); // the parent can still wait
  });

  test("rule 2: fibers spawned by a timer callback set in a fiber belong to that fiber's tree", () => {
    let grandchild!: Fiber;
    const f = spawn(() => {
      setTimeout(() => {
        grandchild = spawn(() => sleep(LONG));
      }, 1);
    });
    sleep(10);
    expect(grandchild).toBeDefined();
    expect(f.done).toBe(false);
    f.cancel();
    f.join();
    expect(grandchild.cancelled).toBe(true);
    expect(grandchild.done).toBe(true);
  });

  // Known limitation (docs/runtime.md, "Promise continuations"): code after an await runs on a
  // job-runner fiber that does not carry the awaiting fiber's identity yet.
  test.todo("rule 2: a fiber spawned after an await, in an async function a fiber called, belongs to that fiber's tree", () => {
    // Kotlin reading: code resumed after `await` still runs for the fiber that called the async
    // function, so what it spawns is that fiber's child (else a failure there escapes the
    // fiber, and in `uringy test` fails another test or the whole file).
    let child!: Fiber;
    const w = spawn(() => {
      async function startsWork(): Promise<void> {
        await null;
        child = spawn(() => sleep(30));
      }
      wait(startsWork());
    });
    w.join();
    expect(child.done).toBe(true);
  });
});

describe("rule 3: a fiber is done when its function ended and all its children are done", () => {
  test("rule 3: a parent whose function returned is not done while a child runs; join waits for the child", () => {
    const log: string[] = [];
    const parent = spawn(() => {
      spawn(() => {
        sleep(20);
        log.push("child finished");
      });
      log.push("parent returned");
      return "value";
    });
    sleep(5);
    expect(log).toEqual(["parent returned"]);
    expect(parent.done).toBe(false);
    expect(parent.join()).toBe("value");
    expect(log).toEqual(["parent returned", "child finished"]);
    expect(parent.done).toBe(true);
  });

  test("rule 3: a parent whose function threw is done only after its children are done", () => {
    const log: string[] = [];
    const wrapper = spawn(() => {
      const parent = spawn(() => {
        spawn(() => shield(() => {
          sleep(20);
          log.push("child finished");
        }));
        throw new Error("parent threw");
      });
      try {
        parent.join();
      } catch (error) {
        log.push(`join threw: ${(error as Error).message}`);
      }
    });
    wrapper.join();
    expect(log).toEqual(["child finished", "join threw: parent threw"]);
  });

  test("rule 3: join on a fiber that is already done returns at once, again and again", () => {
    const f = spawn(() => 42);
    expect(f.join()).toBe(42);
    expect(f.done).toBe(true);
    expect(f.join()).toBe(42);
  });

  test("rule 3: several fibers may join the same fiber; each gets its value", () => {
    const target = spawn(() => {
      sleep(10);
      return "v";
    });
    const joiners = [1, 2, 3].map(() => spawn(() => target.join()));
    expect(joiners.map((j) => j.join())).toEqual(["v", "v", "v"]);
  });
});

describe("rule 4: one fiber runs at a time, until it waits", () => {
  test("rule 4: spawn does not run the child until the parent waits", () => {
    const log: string[] = [];
    const f = spawn(() => log.push("child"));
    log.push("parent after spawn");
    expect(f.done).toBe(false);
    yieldNow();
    expect(log).toEqual(["parent after spawn", "child"]);
  });

  test("rule 4: a fiber that never waits runs to completion before another fiber runs", () => {
    const log: string[] = [];
    const busy = (name: string) => () => {
      for (let i = 0; i < 1000; i++) log.push(name);
    };
    const a = spawn(busy("a"));
    const b = spawn(busy("b"));
    a.join();
    b.join();
    expect(log.slice(0, 1000).every((x) => x === "a")).toBe(true);
    expect(log.slice(1000).every((x) => x === "b")).toBe(true);
  });

  test("rule 4: no timer callback or promise reaction runs in the middle of synchronous code", () => {
    const log: string[] = [];
    setTimeout(() => log.push("timer"), 1);
    Promise.resolve().then(() => log.push("reaction"));
    const until = now() + 20;
    while (now() < until) {
      // busy: nothing else may run
    }
    log.push("loop ended");
    sleep(5);
    expect(log[0]).toBe("loop ended");
    expect(log).toContain("timer");
    expect(log).toContain("reaction");
  });

  test("rule 4: yieldNow lets every other ready fiber run once", () => {
    const log: string[] = [];
    const a = spawn(() => {
      log.push("a1");
      yieldNow();
      log.push("a2");
    });
    const b = spawn(() => {
      log.push("b1");
      yieldNow();
      log.push("b2");
    });
    a.join();
    b.join();
    expect(log).toEqual(["a1", "b1", "a2", "b2"]);
  });

  test("rule 4: ten thousand fibers waiting at once all run to the end", () => {
    let finished = 0;
    scope(() => {
      for (let i = 0; i < 10_000; i++) {
        spawn(() => {
          sleep(1);
          finished++;
        });
      }
    });
    expect(finished).toBe(10_000);
  });

  test("rule 4: yieldNow with no other fiber ready returns", () => {
    yieldNow();
    yieldNow();
  });

  test("rule 4: a fiber looping on yieldNow does not starve a sleeping fiber", () => {
    let woke = false;
    spawn(() => {
      sleep(10);
      woke = true;
    });
    const started = now();
    while (!woke && now() - started < 2000) yieldNow();
    expect(woke).toBe(true);
    expect(now() - started).toBeLessThan(500);
  });

  test("rule 4: a fiber looping on yieldNow does not starve a timer", () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 10);
    const started = now();
    while (!fired && now() - started < 2000) yieldNow();
    expect(fired).toBe(true);
    expect(now() - started).toBeLessThan(500);
  });

  test("rule 4: a fiber looping on yieldNow does not starve promise reactions", () => {
    let reacted = false;
    Promise.resolve().then(() => {
      reacted = true;
    });
    const started = now();
    while (!reacted && now() - started < 2000) yieldNow();
    expect(reacted).toBe(true);
  });

  test("rule 4: two fibers both looping on yieldNow take turns", () => {
    const log: string[] = [];
    const loop = (name: string) => () => {
      for (let i = 0; i < 3; i++) {
        log.push(name);
        yieldNow();
      }
    };
    const a = spawn(loop("a"));
    const b = spawn(loop("b"));
    a.join();
    b.join();
    expect(log).toEqual(["a", "b", "a", "b", "a", "b"]);
  });
});

describe("rule 4: a fiber may wait anywhere in its stack", () => {
  test("rule 4: a fiber may wait inside builtins' callbacks (map, sort, replace, a getter, toJSON) while others run", () => {
    const log: string[] = [];
    const other = spawn(() => {
      for (let i = 0; i < 5; i++) {
        log.push("other");
        sleep(1);
      }
    });
    const mapped = [3, 1, 2].map((x) => {
      sleep(1);
      return x * 2;
    });
    const sorted = [...mapped].sort((a, b) => {
      sleep(1);
      return a - b;
    });
    const replaced = "abc".replace(/b/, () => {
      sleep(1);
      return "B";
    });
    const got = {
      get g() {
        sleep(1);
        return "g";
      },
    }.g;
    const json = JSON.stringify({
      toJSON() {
        sleep(1);
        return "j";
      },
    });
    expect([mapped, sorted, replaced, got, json]).toEqual([[6, 2, 4], [2, 4, 6], "aBc", "g", '"j"']);
    other.join();
    expect(log).toHaveLength(5);
  });

  test("rule 4: two fibers each waiting inside Array.prototype.map keep their own iterations", () => {
    const run = (tag: string) => () =>
      [1, 2, 3, 4].map((x) => {
        sleep(x % 2);
        return `${tag}${x}`;
      });
    const a = spawn(run("a"));
    const b = spawn(run("b"));
    expect(a.join()).toEqual(["a1", "a2", "a3", "a4"]);
    expect(b.join()).toEqual(["b1", "b2", "b3", "b4"]);
  });
});

describe("rule 5: cancellation", () => {
  // Regression: the outcome of a fiber completed by cancelling its last timer was written
  // only later, so join() right after the cancel read a fiber that looked unfinished.
  test("rule 5: a fiber left waiting only for its timer is done as soon as it is cancelled", () => {
    const fiber = spawn(() => {
      setTimeout(() => {}, 60_000);
      return "value";
    });
    sleep(5);
    expect(fiber.done).toBe(false);
    fiber.cancel();
    expect(fiber.done).toBe(true);
    expect(fiber.join()).toBe("value");
  });

  test("rule 5: a fiber waiting in sleep throws Cancelled at once when cancelled", () => {
    let error: unknown;
    const f = spawn(() => {
      try {
        sleep(LONG);
      } catch (e) {
        error = e;
        throw e;
      }
    });
    sleep(2);
    const elapsed = timed(() => {
      f.cancel();
      caught(() => f.join());
    });
    expect(error).toBeInstanceOf(Cancelled);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: a fiber waiting in join throws Cancelled at once when cancelled (the joined fiber goes on)", () => {
    const other = spawn(() => {
      sleep(200);
      return "other";
    });
    let error: unknown;
    const joiner = spawn(() => {
      try {
        other.join();
      } catch (e) {
        error = e;
        throw e;
      }
    });
    sleep(2);
    joiner.cancel();
    caught(() => joiner.join());
    expect(error).toBeInstanceOf(Cancelled);
    expect(other.done).toBe(false); // the join ended before the joined fiber did
    expect(other.cancelled).toBe(false);
    expect(other.join()).toBe("other");
  });

  test("rule 5: a fiber waiting in wait(promise) throws Cancelled at once when cancelled", () => {
    let error: unknown;
    const f = spawn(() => {
      try {
        wait(new Promise(() => {})); // never settles
      } catch (e) {
        error = e;
        throw e;
      }
    });
    sleep(2);
    const elapsed = timed(() => {
      f.cancel();
      caught(() => f.join());
    });
    expect(error).toBeInstanceOf(Cancelled);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: a fiber waiting in yieldNow throws Cancelled when cancelled", () => {
    let error: unknown;
    const f = spawn(() => {
      try {
        for (;;) yieldNow();
      } catch (e) {
        error = e;
      }
    });
    yieldNow();
    yieldNow();
    f.cancel();
    f.join();
    expect(error).toBeInstanceOf(Cancelled);
  });

  test("rule 5: a fiber waiting in Channel.recv throws Cancelled at once when cancelled", () => {
    const ch = new Channel<number>();
    let error: unknown;
    const f = spawn(() => {
      try {
        ch.recv();
      } catch (e) {
        error = e;
      }
    });
    sleep(2);
    f.cancel();
    f.join();
    expect(error).toBeInstanceOf(Cancelled);
  });

  test("rule 5: a fiber that is not waiting throws Cancelled at its next call that waits", () => {
    const log: string[] = [];
    const f = spawn(() => {
      log.push("started");
      const until = now() + 5;
      while (now() < until) {
        // running, not waiting
      }
      log.push("still running");
      try {
        sleep(LONG);
      } catch (e) {
        log.push(e instanceof Cancelled ? "sleep threw Cancelled" : `sleep threw ${e}`);
      }
    });
    f.cancel(); // before it first ran
    const elapsed = timed(() => f.join());
    expect(log).toEqual(["started", "still running", "sleep threw Cancelled"]);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: checkpoint throws Cancelled in a cancelled fiber and does nothing otherwise", () => {
    checkpoint(); // not cancelled: nothing
    let error: unknown;
    const f = spawn(() => {
      try {
        checkpoint();
      } catch (e) {
        error = e;
      }
    });
    f.cancel();
    f.join();
    expect(error).toBeInstanceOf(Cancelled);
  });

  test("rule 5: cancel() returns at once: the cancelled fiber unwinds only when the canceller waits", () => {
    const log: string[] = [];
    const f = spawn(() => {
      try {
        sleep(LONG);
      } finally {
        log.push("unwound");
      }
    });
    sleep(2);
    f.cancel();
    log.push("cancel returned");
    expect(f.cancelled).toBe(true);
    expect(f.done).toBe(false);
    caught(() => f.join());
    expect(log).toEqual(["cancel returned", "unwound"]);
  });

  test("rule 5: cancel() is idempotent, and does nothing to a fiber that is done", () => {
    const f = spawn(() => sleep(LONG));
    sleep(1);
    f.cancel();
    f.cancel();
    expect(caught(() => f.join())).toBeInstanceOf(Cancelled);
    f.cancel();
    const g = spawn(() => "g");
    expect(g.join()).toBe("g");
    g.cancel();
    expect(g.cancelled).toBe(false);
    expect(g.join()).toBe("g");
  });

  test("rule 5: cancellation reaches every fiber below, each throwing Cancelled", () => {
    const errors: unknown[] = [];
    const waitLong = () => {
      try {
        sleep(LONG);
      } catch (e) {
        errors.push(e);
        throw e;
      }
    };
    const top = spawn(() => {
      spawn(() => {
        spawn(waitLong);
        waitLong();
      });
      spawn(waitLong);
      waitLong();
    });
    sleep(2);
    const elapsed = timed(() => {
      top.cancel();
      caught(() => top.join());
    });
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e instanceof Cancelled)).toBe(true);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: cancellation is sticky: catching Cancelled and waiting again throws again", () => {
    const log: string[] = [];
    const f = spawn(() => {
      for (let i = 0; i < 3; i++) {
        try {
          sleep(LONG);
          log.push("slept");
        } catch (e) {
          log.push(e instanceof Cancelled ? "Cancelled" : String(e));
        }
      }
      try {
        checkpoint();
      } catch (e) {
        log.push(e instanceof Cancelled ? "checkpoint: Cancelled" : String(e));
      }
      try {
        wait(Promise.resolve(1));
      } catch (e) {
        log.push(e instanceof Cancelled ? "wait: Cancelled" : String(e));
      }
    });
    sleep(2);
    f.cancel();
    const elapsed = timed(() => f.join());
    expect(log).toEqual(["Cancelled", "Cancelled", "Cancelled", "checkpoint: Cancelled", "wait: Cancelled"]);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: fibers spawned after the cancellation start cancelled (including fibers they spawn later)", () => {
    let late!: Fiber;
    let lateGrandchild!: Fiber;
    const log: string[] = [];
    const f = spawn(() => {
      try {
        sleep(LONG);
      } catch {
        late = spawn(() => {
          log.push(`late started, cancelled=${current().cancelled}`);
          lateGrandchild = spawn(() => {
            try {
              sleep(LONG);
            } catch (e) {
              log.push(e instanceof Cancelled ? "grandchild: Cancelled" : String(e));
            }
          });
          try {
            sleep(LONG);
          } catch (e) {
            log.push(e instanceof Cancelled ? "late: Cancelled" : String(e));
          }
        });
      }
    });
    sleep(2);
    f.cancel();
    const elapsed = timed(() => f.join());
    expect(late.cancelled).toBe(true);
    expect(lateGrandchild.cancelled).toBe(true);
    expect(log).toContain("late started, cancelled=true");
    expect(log).toContain("late: Cancelled");
    expect(log).toContain("grandchild: Cancelled");
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: a child spawned later by a (not yet cancelled-aware) child of a cancelled fiber starts cancelled", () => {
    let later!: Fiber;
    const top = spawn(() => {
      spawn(() => {
        // runs synchronously past the cancellation, then spawns
        shield(() => sleep(10));
        later = spawn(() => sleep(LONG));
      });
    });
    sleep(2);
    top.cancel();
    const elapsed = timed(() => top.join());
    expect(later.cancelled).toBe(true);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 5: a cancelled fiber's pending setTimeout does not fire", () => {
    let fired = false;
    const f = spawn(() => {
      setTimeout(() => {
        fired = true;
      }, 20);
      sleep(LONG);
    });
    sleep(2);
    f.cancel();
    caught(() => f.join());
    sleep(40);
    expect(fired).toBe(false);
  });

  // Known limitation (docs/runtime.md, "Promise continuations"): code after an await runs on a
  // job-runner fiber that does not carry the awaiting fiber's identity yet.
  test.todo("rule 5: cancelling a fiber reaches the code after an await in an async function it is waiting on", () => {
    // Kotlin reading: the async function's continuation runs for the fiber that called it.
    const log: string[] = [];
    const f = spawn(() => {
      async function work(): Promise<void> {
        await null;
        try {
          sleep(300);
          log.push("slept through the cancellation");
        } catch (e) {
          log.push(e instanceof Cancelled ? "Cancelled" : String(e));
        }
      }
      wait(work());
    });
    sleep(5);
    f.cancel();
    caught(() => f.join());
    expect(log).toEqual(["Cancelled"]);
  });

  test("rule 5: `cancelled` is false before cancel() and true after, for the fiber and those below", () => {
    let child!: Fiber;
    const f = spawn(() => {
      child = spawn(() => sleep(LONG));
      sleep(LONG);
    });
    sleep(1);
    expect(f.cancelled).toBe(false);
    expect(child.cancelled).toBe(false);
    f.cancel();
    expect(f.cancelled).toBe(true);
    expect(child.cancelled).toBe(true);
    caught(() => f.join());
    expect(f.cancelled).toBe(true);
    expect(child.cancelled).toBe(true);
  });

  test("rule 5: a fiber may cancel itself: its next wait throws Cancelled", () => {
    const f = spawn(() => {
      current().cancel();
      expect(current().cancelled).toBe(true);
      sleep(LONG);
    });
    const error = caught(() => f.join());
    expect(error).toBeInstanceOf(Cancelled);
  });
});

describe("rule 6: a fiber ended by its own cancellation ends cancelled, not failed", () => {
  test("rule 6: a fiber ending by its own Cancelled does not fail its parent", () => {
    const parent = spawn(() => {
      const child = spawn(() => sleep(LONG));
      sleep(1);
      child.cancel();
      sleep(5); // not interrupted: the parent is not cancelled
      return "parent ok";
    });
    expect(parent.join()).toBe("parent ok");
    expect(parent.cancelled).toBe(false);
  });

  test("rule 6: join() on a cancelled fiber throws Cancelled", () => {
    const f = spawn(() => sleep(LONG));
    sleep(1);
    f.cancel();
    const error = caught(() => f.join());
    expect(error).toBeInstanceOf(Cancelled);
    expect(error).toBeInstanceOf(Error);
    expect(f.done).toBe(true);
    expect(f.cancelled).toBe(true);
  });

  test("rule 6: join() on a fiber that was cancelled and is long done still throws Cancelled", () => {
    const f = spawn(() => sleep(LONG));
    sleep(1);
    f.cancel();
    sleep(10);
    expect(f.done).toBe(true);
    expect(caught(() => f.join())).toBeInstanceOf(Cancelled);
    expect(caught(() => f.join())).toBeInstanceOf(Cancelled);
  });

  test("rule 6: a fiber that throws a Cancelled without being cancelled fails (it is not its own cancellation)", () => {
    const impostor = new Cancelled("not mine");
    const wrapper = spawn(() => {
      spawn(() => {
        throw impostor;
      });
      sleep(LONG); // the failure cancels this fiber
    });
    expect(caught(() => wrapper.join())).toBe(impostor);
  });

  test("rule 6: a Cancelled received from join() on another, cancelled fiber is not the joiner's own: uncaught, it fails the joiner", () => {
    // Literal reading of rule 6 ("the Cancelled of its own cancellation") and rule 7 ("no error
    // is ever dropped silently"): the joiner was not cancelled, so it fails.
    const wrapper = spawn(() => {
      const target = spawn(() => sleep(LONG));
      const joiner = spawn(() => target.join());
      sleep(1);
      target.cancel();
      const error = caught(() => joiner.join());
      return [error instanceof Cancelled, joiner.cancelled];
    });
    expect(wrapper.join()).toEqual([true, false]);
  });

  test("rule 6: a cancelled fiber whose function throws another error fails with that error", () => {
    const f = spawn(() => {
      try {
        sleep(LONG);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new Error("cleanup failed");
      }
    });
    sleep(1);
    f.cancel();
    const error = caught(() => f.join());
    expect(error).not.toBeInstanceOf(Cancelled);
    expect(error.message).toBe("cleanup failed");
  });
});

describe("rule 7: failures", () => {
  test("rule 7: a fiber waiting in join() receives the failure, and it goes no further", () => {
    const parent = spawn(() => {
      const sibling = spawn(() => {
        sleep(20);
        return "sibling";
      });
      const failing = spawn(() => {
        sleep(5);
        throw new Error("joined failure");
      });
      const error = caught(() => failing.join());
      expect(error.message).toBe("joined failure");
      sleep(1); // not cancelled
      expect(sibling.cancelled).toBe(false);
      return `handled; ${sibling.join()}`;
    });
    expect(parent.join()).toBe("handled; sibling");
  });

  test("rule 7: a sibling waiting in join() receives the failure, and the parent is not failed", () => {
    const parent = spawn(() => {
      const failing = spawn(() => {
        sleep(5);
        throw new Error("x");
      });
      const joiner = spawn(() => caught(() => failing.join()).message);
      return joiner.join();
    });
    expect(parent.join()).toBe("x");
  });

  test("rule 7: a failing child cancels its parent while the parent waits on another join, and the parent fails with it", () => {
    const log: string[] = [];
    const boom = new Error("boom");
    const parent = spawn(() => {
      spawn(() => {
        sleep(10);
        throw boom;
      });
      const slow = spawn(() => {
        try {
          sleep(LONG);
        } finally {
          log.push("slow sibling unwound");
        }
      });
      try {
        slow.join();
      } catch (e) {
        log.push(e instanceof Cancelled ? "join threw Cancelled" : `join threw ${e}`);
        throw e;
      }
    });
    const started = now();
    const error = caught(() => parent.join());
    expect(error).toBe(boom);
    expect(now() - started).toBeLessThan(SOON);
    expect(log).toContain("join threw Cancelled");
    expect(log).toContain("slow sibling unwound");
  });

  test("rule 7: several failing children fail the parent with an AggregateError of all of them", () => {
    const one = new Error("one");
    const two = new TypeError("two");
    const parent = spawn(() => {
      spawn(() => {
        sleep(5);
        throw one;
      });
      spawn(() => {
        // the first failure cancels this fiber; it fails anyway, with another error
        try {
          sleep(LONG);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw two;
        }
      });
      sleep(LONG);
    });
    const error = caught(() => parent.join());
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors).toHaveLength(2);
    expect(error.errors).toContain(one);
    expect(error.errors).toContain(two);
  });

  test("rule 7: several children failing at the same time are all reported in an AggregateError", () => {
    const parent = spawn(() => {
      for (let i = 0; i < 3; i++) {
        spawn(() => {
          throw new Error(`failure ${i}`);
        });
      }
    });
    const error = caught(() => parent.join());
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors.map((e: Error) => e.message).sort()).toEqual(["failure 0", "failure 1", "failure 2"]);
  });

  test("rule 7: a parent that catches the Cancelled and returns normally still fails with its child's error", () => {
    const parent = spawn(() => {
      spawn(() => {
        sleep(2);
        throw new Error("child failed");
      });
      try {
        sleep(LONG);
      } catch {
        // swallowed: the child's error must not be dropped
      }
      return "returned anyway";
    });
    expect(caught(() => parent.join()).message).toBe("child failed");
  });

  test("rule 7: the parent's function runs on until its next wait, which throws Cancelled", () => {
    const log: string[] = [];
    const parent = spawn(() => {
      spawn(() => {
        throw new Error("early");
      });
      shield(() => sleep(5)); // the child runs and fails meanwhile; the shielded wait completes
      log.push(`cancelled=${current().cancelled}`);
      try {
        sleep(LONG);
      } catch (e) {
        log.push(e instanceof Cancelled ? "sleep threw Cancelled" : String(e));
        throw e;
      }
    });
    expect(caught(() => parent.join()).message).toBe("early");
    expect(log).toEqual(["cancelled=true", "sleep threw Cancelled"]);
  });

  test("rule 7: a failure travels up through every ancestor that does not join", () => {
    const deep = new Error("deep");
    const top = spawn(() => {
      spawn(() => {
        spawn(() => {
          sleep(2);
          throw deep;
        });
        sleep(LONG);
      });
      sleep(LONG);
    });
    const started = now();
    expect(caught(() => top.join())).toBe(deep);
    expect(now() - started).toBeLessThan(SOON);
  });

  test("rule 7: a failure is not dropped when the parent's function has already returned", () => {
    const parent = spawn(() => {
      spawn(() => {
        sleep(5);
        throw new Error("after the parent returned");
      });
      return "early return";
    });
    expect(caught(() => parent.join()).message).toBe("after the parent returned");
  });

  test("rule 7: the failure reaches a joiner only once the failed fiber's children are done", () => {
    const log: string[] = [];
    const wrapper = spawn(() => {
      const failing = spawn(() => {
        spawn(() => shield(() => {
          sleep(20);
          log.push("grandchild done");
        }));
        throw new Error("f");
      });
      try {
        failing.join();
      } catch (e) {
        log.push(`joined: ${(e as Error).message}`);
      }
    });
    wrapper.join();
    expect(log).toEqual(["grandchild done", "joined: f"]);
  });

  test("rule 7: a fiber whose function throws has its children cancelled, and fails once they are done", () => {
    // Trio/Kotlin reading: a failure cancels the failing fiber's own subtree (it cannot report
    // its error before its children are done, and they must not keep it waiting).
    let child!: Fiber;
    const wrapper = spawn(() => {
      const failing = spawn(() => {
        child = spawn(() => sleep(LONG));
        sleep(1);
        throw new Error("failed with a child running");
      });
      return caught(() => failing.join()).message;
    });
    const started = now();
    expect(wrapper.join()).toBe("failed with a child running");
    expect(child.cancelled).toBe(true);
    expect(now() - started).toBeLessThan(SOON);
  });

  test("rule 7: a failure arriving after its joiner was cancelled (no longer waiting) propagates to the parent", () => {
    const failure = new Error("nobody waits any more");
    const parent = spawn(() => {
      const failing = spawn(() => {
        sleep(20);
        throw failure;
      });
      const joiner = spawn(() => failing.join());
      sleep(2);
      joiner.cancel();
      sleep(LONG);
    });
    expect(caught(() => parent.join())).toBe(failure);
  });

  test("rule 7: a child failing while its parent is in shield: the shielded wait completes, then the parent fails", () => {
    const log: string[] = [];
    const parent = spawn(() => {
      spawn(() => {
        sleep(2);
        throw new Error("child");
      });
      shield(() => {
        sleep(20);
        log.push("shielded wait completed");
      });
      sleep(LONG);
      log.push("not reached");
    });
    expect(caught(() => parent.join()).message).toBe("child");
    expect(log).toEqual(["shielded wait completed"]);
  });

  test("rule 7: an error thrown by a timer callback set in a fiber fails that fiber", () => {
    const f = spawn(() => {
      setTimeout(() => {
        throw new Error("from the callback");
      }, 2);
    });
    expect(caught(() => f.join()).message).toBe("from the callback");
  });

  test("rule 7: a non-Error thrown value is propagated as it is", () => {
    const f = spawn(() => {
      spawn(() => {
        throw 42;
      });
    });
    expect(caught(() => f.join())).toBe(42);
  });
});

describe("rule 8: scope", () => {
  test("rule 8: scope runs its body in the calling fiber and returns its value", () => {
    const me = current();
    const result = scope(() => {
      expect(current()).toBe(me);
      return "body value";
    });
    expect(result).toBe("body value");
  });

  test("rule 8: scope returns only when every fiber spawned inside it is done", () => {
    const log: string[] = [];
    scope(() => {
      spawn(() => {
        sleep(20);
        log.push("a");
      });
      spawn(() => {
        spawn(() => {
          sleep(30);
          log.push("nested");
        });
        log.push("b");
      });
    });
    log.push("scope returned");
    expect(log).toEqual(["b", "a", "nested", "scope returned"]);
  });

  test("rule 8: the first failure cancels the other fibers and the body, and scope throws it", () => {
    const log: string[] = [];
    const first = new Error("first failure");
    const wrapper = spawn(() => {
      const started = now();
      const error = caught(() =>
        scope(() => {
          spawn(() => {
            try {
              sleep(LONG);
            } catch (e) {
              log.push(e instanceof Cancelled ? "sibling: Cancelled" : String(e));
              throw e;
            }
          });
          spawn(() => {
            sleep(5);
            throw first;
          });
          try {
            sleep(LONG);
          } catch (e) {
            log.push(e instanceof Cancelled ? "body: Cancelled" : String(e));
            throw e;
          }
        })
      );
      log.push(`elapsed<SOON=${now() - started < SOON}`);
      return error;
    });
    expect(wrapper.join()).toBe(first);
    expect(log).toContain("sibling: Cancelled");
    expect(log).toContain("body: Cancelled");
    expect(log).toContain("elapsed<SOON=true");
  });

  test("rule 8: scope throws the first failure when several fibers fail", () => {
    const wrapper = spawn(() =>
      caught(() =>
        scope(() => {
          spawn(() => {
            sleep(5);
            throw new Error("first");
          });
          spawn(() => {
            try {
              sleep(LONG);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw new Error("second");
            }
          });
        })
      )
    );
    expect(wrapper.join().message).toBe("first");
  });

  test("rule 8: once scope has thrown, the calling fiber is not cancelled and goes on", () => {
    const wrapper = spawn(() => {
      try {
        scope(() => {
          spawn(() => {
            throw new Error("inside");
          });
        });
      } catch {
        // handled
      }
      sleep(2);
      checkpoint();
      return current().cancelled;
    });
    expect(wrapper.join()).toBe(false);
  });

  test("rule 8: a failure joined inside the scope goes no further", () => {
    const result = scope(() => {
      const f = spawn(() => {
        throw new Error("joined");
      });
      return caught(() => f.join()).message;
    });
    expect(result).toBe("joined");
  });

  test("rule 8: when the body throws, the scope's fibers are cancelled and scope throws the body's error after they finish", () => {
    const log: string[] = [];
    const wrapper = spawn(() =>
      caught(() =>
        scope(() => {
          spawn(() => {
            try {
              sleep(LONG);
            } finally {
              log.push("child unwound");
            }
          });
          sleep(1);
          throw new Error("body failed");
        })
      )
    );
    const started = now();
    const error = wrapper.join();
    log.push("scope threw");
    expect(error.message).toBe("body failed");
    expect(log).toEqual(["child unwound", "scope threw"]);
    expect(now() - started).toBeLessThan(SOON);
  });

  test("rule 8: cancelling the fiber cancels the fibers of its scope, and scope waits for them", () => {
    const log: string[] = [];
    const f = spawn(() => {
      scope(() => {
        spawn(() => {
          try {
            sleep(LONG);
          } finally {
            log.push("scoped child unwound");
          }
        });
        sleep(LONG);
      });
      log.push("not reached");
    });
    sleep(2);
    f.cancel();
    const elapsed = timed(() => expect(caught(() => f.join())).toBeInstanceOf(Cancelled));
    expect(log).toEqual(["scoped child unwound"]);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 8: fibers spawned inside a scope are children of the scope, not of the fiber beyond it", () => {
    // The fiber's function returns after the scope; the scope's child was done by then.
    let child!: Fiber;
    scope(() => {
      child = spawn(() => sleep(10));
    });
    expect(child.done).toBe(true);
  });

  test("rule 8: a scope in a promise reaction waits for the fibers spawned inside it", () => {
    const log: string[] = [];
    wait(
      Promise.resolve().then(() => {
        scope(() => {
          spawn(() => {
            sleep(10);
            log.push("child done");
          });
        });
        log.push("scope returned");
      }),
    );
    expect(log).toEqual(["child done", "scope returned"]);
  });

  test("rule 8: a scope after an await in an async function waits for the fibers spawned inside it", () => {
    const log: string[] = [];
    async function scoped(): Promise<void> {
      await null;
      scope(() => {
        spawn(() => {
          sleep(10);
          log.push("child done");
        });
      });
      log.push("scope returned");
    }
    wait(scoped());
    expect(log).toEqual(["child done", "scope returned"]);
  });

  test("rule 8: nested scopes each wait for their own fibers", () => {
    const log: string[] = [];
    scope(() => {
      spawn(() => {
        sleep(20);
        log.push("outer child");
      });
      scope(() => {
        spawn(() => {
          sleep(5);
          log.push("inner child");
        });
      });
      log.push("inner scope returned");
    });
    log.push("outer scope returned");
    expect(log).toEqual(["inner child", "inner scope returned", "outer child", "outer scope returned"]);
  });
});

describe("rule 9: timeout", () => {
  test("rule 9: timeout returns the body's value when it finishes in time", () => {
    const value = timeout(100, () => {
      spawn(() => sleep(5));
      sleep(5);
      return "in time";
    });
    expect(value).toBe("in time");
  });

  test("rule 9: timeout throws TimeoutError when the body is not done after ms", () => {
    const started = now();
    const error = caught(() => timeout(20, () => sleep(LONG)));
    const elapsed = now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(Error);
    expect(elapsed).toBeGreaterThanOrEqual(19);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 9: at the limit the body's wait throws Cancelled, and fibers inside are cancelled", () => {
    const log: string[] = [];
    const error = caught(() =>
      timeout(10, () => {
        spawn(() => {
          try {
            sleep(LONG);
          } catch (e) {
            log.push(e instanceof Cancelled ? "child: Cancelled" : String(e));
            throw e;
          }
        });
        try {
          sleep(LONG);
        } catch (e) {
          log.push(e instanceof Cancelled ? "body: Cancelled" : String(e));
          throw e;
        }
      })
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(log).toContain("child: Cancelled");
    expect(log).toContain("body: Cancelled");
  });

  test("rule 9: TimeoutError is thrown only after everything inside has finished (a child's finally ran)", () => {
    const log: string[] = [];
    try {
      timeout(10, () => {
        spawn(() => {
          try {
            sleep(LONG);
          } finally {
            shield(() => sleep(20)); // slow cleanup
            log.push("child finally done");
          }
        });
        sleep(LONG);
      });
    } catch (e) {
      log.push(e instanceof TimeoutError ? "TimeoutError" : String(e));
    }
    expect(log).toEqual(["child finally done", "TimeoutError"]);
  });

  test("rule 9: the calling fiber is not cancelled once timeout has thrown", () => {
    caught(() => timeout(5, () => sleep(LONG)));
    expect(current().cancelled).toBe(false);
    sleep(2);
    checkpoint();
  });

  test("rule 9: a failure inside before the limit is thrown as itself", () => {
    const error = caught(() =>
      timeout(1000, () => {
        spawn(() => {
          sleep(2);
          throw new RangeError("inside");
        });
        sleep(LONG);
      })
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe("inside");
  });

  test("rule 9: an outer timeout cancels an inner, longer one, which throws Cancelled; the outer throws TimeoutError", () => {
    let inner: unknown;
    const outer = caught(() =>
      timeout(10, () => {
        try {
          timeout(LONG, () => sleep(LONG));
        } catch (e) {
          inner = e;
          throw e;
        }
      })
    );
    expect(outer).toBeInstanceOf(TimeoutError);
    expect(inner).toBeInstanceOf(Cancelled);
    expect(inner).not.toBeInstanceOf(TimeoutError);
  });

  test("rule 9: an inner, shorter timeout throws TimeoutError that the outer body may handle", () => {
    const result = timeout(1000, () => {
      try {
        timeout(5, () => sleep(LONG));
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      }
      sleep(1); // the outer body is not cancelled
      return "recovered";
    });
    expect(result).toBe("recovered");
  });

  test("rule 9: a shielded wait inside timeout completes before timeout ends", () => {
    const log: string[] = [];
    const started = now();
    try {
      timeout(5, () => {
        shield(() => sleep(30));
        log.push("shield done");
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    expect(log).toEqual(["shield done"]);
    expect(now() - started).toBeGreaterThanOrEqual(29);
  });

  test("rule 9: a timeout in a fiber that is cancelled from outside throws Cancelled, not TimeoutError", () => {
    let error: unknown;
    const f = spawn(() => {
      try {
        timeout(LONG, () => sleep(LONG));
      } catch (e) {
        error = e;
      }
    });
    sleep(2);
    f.cancel();
    f.join();
    expect(error).toBeInstanceOf(Cancelled);
  });
});

describe("rule 10: shield", () => {
  test("rule 10: a wait inside shield completes although the fiber is cancelled meanwhile", () => {
    const log: string[] = [];
    const f = spawn(() => {
      shield(() => {
        sleep(20);
        log.push("shielded sleep completed");
      });
      log.push("after shield");
      try {
        sleep(LONG);
      } catch (e) {
        log.push(e instanceof Cancelled ? "next wait: Cancelled" : String(e));
        throw e;
      }
    });
    sleep(2);
    f.cancel();
    const elapsed = timed(() => expect(caught(() => f.join())).toBeInstanceOf(Cancelled));
    expect(log).toEqual(["shielded sleep completed", "after shield", "next wait: Cancelled"]);
    expect(elapsed).toBeGreaterThanOrEqual(10);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 10: shield returns its body's value", () => {
    expect(shield(() => 7)).toBe(7);
  });

  test("rule 10: a cancelled fiber can run cleanup that waits in shield, inside finally", () => {
    const log: string[] = [];
    const f = spawn(() => {
      try {
        sleep(LONG);
      } finally {
        shield(() => {
          sleep(5);
          wait(later(5, "flushed"));
          log.push("cleanup done");
        });
      }
    });
    sleep(1);
    f.cancel();
    expect(caught(() => f.join())).toBeInstanceOf(Cancelled);
    expect(log).toEqual(["cleanup done"]);
  });

  test("rule 10: checkpoint, yieldNow, join and wait(promise) inside shield do not throw Cancelled", () => {
    const log: string[] = [];
    const f = spawn(() => {
      try {
        sleep(LONG);
      } catch {
        shield(() => {
          checkpoint();
          yieldNow();
          log.push(spawn(() => "joined").join() as string);
          log.push(wait(later(2, "waited")));
          expect(current().cancelled).toBe(true); // still cancelled, only shielded
        });
      }
    });
    sleep(1);
    f.cancel();
    f.join();
    expect(log).toEqual(["joined", "waited"]);
  });

  test("rule 10: nested shields: leaving the inner one does not end the outer one's protection", () => {
    const log: string[] = [];
    const f = spawn(() => {
      shield(() => {
        shield(() => sleep(5));
        sleep(10);
        log.push("outer shield still protects");
      });
      try {
        sleep(LONG);
      } catch (e) {
        log.push(e instanceof Cancelled ? "Cancelled after shield" : String(e));
      }
    });
    sleep(1);
    f.cancel();
    f.join();
    expect(log).toEqual(["outer shield still protects", "Cancelled after shield"]);
  });

  test("rule 10: a shield body that throws ends the protection", () => {
    const log: string[] = [];
    const f = spawn(() => {
      try {
        shield(() => {
          sleep(5);
          throw new Error("in shield");
        });
      } catch (e) {
        log.push((e as Error).message);
      }
      try {
        sleep(LONG);
      } catch (e) {
        log.push(e instanceof Cancelled ? "Cancelled" : String(e));
      }
    });
    sleep(1);
    f.cancel();
    f.join();
    expect(log).toEqual(["in shield", "Cancelled"]);
  });
});

describe("rule 11: promises", () => {
  test("rule 11: await works inside async functions called from a fiber", () => {
    async function add(a: number, b: number): Promise<number> {
      const x = await later(2, a);
      const y = await Promise.resolve(b);
      return x + y;
    }
    expect(wait(add(1, 2))).toBe(3);
  });

  test("rule 11: an async test body may await", async () => {
    const value = await later(2, "awaited");
    expect(value).toBe("awaited");
  });

  test("rule 11: wait(promise) returns the value of a promise resolved later", () => {
    expect(wait(later(5, "later"))).toBe("later");
  });

  test("rule 11: wait(promise) on a rejected promise throws its reason", () => {
    const reason = new Error("rejected");
    expect(caught(() => wait(Promise.reject(reason)))).toBe(reason);
    const late = new Promise((_, reject) => setTimeout(() => reject(reason), 2));
    expect(caught(() => wait(late))).toBe(reason);
  });

  test("rule 11: wait() accepts a thenable that is not a Promise", () => {
    const thenable = {
      then(resolve: (v: string) => void) {
        setTimeout(() => resolve("from thenable"), 2);
      },
    };
    expect(wait(thenable as PromiseLike<string>)).toBe("from thenable");
    const rejecting = {
      then(_: unknown, reject: (e: unknown) => void) {
        setTimeout(() => reject("thenable said no"), 2);
      },
    };
    expect(caught(() => wait(rejecting as PromiseLike<string>))).toBe("thenable said no");
  });

  test("rule 11: wait() on a thenable that settles synchronously inside then() (as `await` accepts)", () => {
    const resolving = {
      then(resolve: (v: string) => void) {
        resolve("at once");
      },
    };
    expect(wait(resolving as PromiseLike<string>)).toBe("at once");
    const rejecting = {
      then(_: unknown, reject: (e: unknown) => void) {
        reject("no, at once");
      },
    };
    expect(caught(() => wait(rejecting as PromiseLike<string>))).toBe("no, at once");
  });

  test("rule 11: wait() on a thenable whose then() throws throws that error", () => {
    const broken = {
      then() {
        throw new Error("then() threw");
      },
    };
    expect(caught(() => wait(broken as unknown as PromiseLike<string>)).message).toBe("then() threw");
  });

  test("rule 11: wait() on a value that is not a thenable returns it", () => {
    expect(wait(5 as unknown as PromiseLike<number>)).toBe(5);
  });

  test("rule 11: wait(promise) from several fibers at once", () => {
    const shared = later(5, "shared");
    const fibers = [1, 2, 3].map(() => spawn(() => wait(shared)));
    expect(fibers.map((f) => f.join())).toEqual(["shared", "shared", "shared"]);
  });

  test("rule 11: a promise reaction may call sleep", () => {
    const started = now();
    const value = wait(
      Promise.resolve(1).then((x) => {
        sleep(10);
        return x + 1;
      }),
    );
    expect(value).toBe(2);
    expect(now() - started).toBeGreaterThanOrEqual(9);
  });

  test("rule 11: code after an await in an async function may call sleep and join", () => {
    async function work(): Promise<string> {
      await null;
      sleep(2);
      const f = spawn(() => "joined");
      return f.join();
    }
    expect(wait(work())).toBe("joined");
  });

  test("rule 11: a promise reaction waiting does not hold up other reactions", () => {
    const log: string[] = [];
    const slow = Promise.resolve().then(() => {
      sleep(20);
      log.push("slow");
    });
    const fast = Promise.resolve().then(() => log.push("fast"));
    wait(fast);
    wait(slow);
    expect(log).toEqual(["fast", "slow"]);
  });

  test("rule 11: a promise reaction may spawn and join fibers, and wait on other promises", () => {
    const value = wait(
      Promise.resolve(2).then((x) => {
        const f = spawn(() => {
          sleep(2);
          return x * 10;
        });
        return f.join() + wait(later(2, 1));
      }),
    );
    expect(value).toBe(21);
  });

  test("rule 11: a timer callback may call sleep", () => {
    const log: string[] = [];
    setTimeout(() => {
      log.push("callback started");
      sleep(10);
      log.push("callback slept");
    }, 1);
    sleep(30);
    expect(log).toEqual(["callback started", "callback slept"]);
  });

  test("rule 11: queueMicrotask and event listener callbacks may call sleep", () => {
    const log: string[] = [];
    queueMicrotask(() => {
      sleep(5);
      log.push("microtask slept");
    });
    const target = new EventTarget();
    target.addEventListener("ping", () => {
      sleep(5);
      log.push("listener slept");
    });
    target.dispatchEvent(new Event("ping"));
    sleep(20);
    expect(log).toContain("microtask slept");
    expect(log).toContain("listener slept");
  });

  test("rule 11: setTimeout in a fiber counts as its child: its join returns only after the timer fired", () => {
    let fired = false;
    const f = spawn(() => {
      setTimeout(() => {
        fired = true;
      }, 20);
      return "returned at once";
    });
    sleep(5);
    expect(f.done).toBe(false);
    expect(f.join()).toBe("returned at once");
    expect(fired).toBe(true);
  });

  test("rule 11: clearing a fiber's pending timer releases its join", () => {
    let fired = false;
    const f = spawn(() => {
      const t = setTimeout(() => {
        fired = true;
      }, LONG);
      sleep(2);
      clearTimeout(t);
    });
    const elapsed = timed(() => f.join());
    expect(fired).toBe(false);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 11: a fiber with a setInterval is done once the interval is cleared", () => {
    let ticks = 0;
    const f = spawn(() => {
      const t = setInterval(() => {
        if (++ticks === 3) clearInterval(t);
      }, 2);
    });
    f.join();
    expect(ticks).toBe(3);
  });

  test("rule 11: cancelling a fiber cancels a timer callback of it that is running and waiting", () => {
    const log: string[] = [];
    const f = spawn(() => {
      setTimeout(() => {
        try {
          sleep(LONG);
        } catch (e) {
          log.push(e instanceof Cancelled ? "callback: Cancelled" : String(e));
        }
      }, 1);
    });
    sleep(10);
    f.cancel();
    const elapsed = timed(() => f.join());
    expect(log).toEqual(["callback: Cancelled"]);
    expect(elapsed).toBeLessThan(SOON);
  });

  test("rule 11: a timer's callback that waits keeps its fiber from being done until it finishes", () => {
    const log: string[] = [];
    const f = spawn(() => {
      setTimeout(() => {
        sleep(20);
        log.push("callback finished");
      }, 1);
    });
    f.join();
    expect(log).toEqual(["callback finished"]);
  });
});

describe("rule 12: deep recursion throws RangeError", () => {
  const recurse = (n: number): number => recurse(n + 1) + 1;

  test("rule 12: deep recursion throws RangeError in the test's fiber, which keeps working", () => {
    expect(caught(() => recurse(0))).toBeInstanceOf(RangeError);
    sleep(1);
    expect(caught(() => recurse(0))).toBeInstanceOf(RangeError);
    expect(spawn(() => "still works").join()).toBe("still works");
  });

  test("rule 12: deep recursion throws RangeError in a spawned fiber, and join() receives it if uncaught", () => {
    const f = spawn(() => {
      sleep(1);
      return recurse(0);
    });
    expect(caught(() => f.join())).toBeInstanceOf(RangeError);
    const g = spawn(() => {
      const e = caught(() => recurse(0));
      sleep(1);
      return e instanceof RangeError ? "caught" : "other";
    });
    expect(g.join()).toBe("caught");
  });

  test("rule 12: many fibers recursing deeply at once each get RangeError", () => {
    const fibers = Array.from({ length: 20 }, () =>
      spawn(() => {
        yieldNow();
        return caught(() => recurse(0)) instanceof RangeError;
      })
    );
    expect(fibers.map((f) => f.join()).every(Boolean)).toBe(true);
  });

  test("rule 12: recursion through Array.prototype.map callbacks throws RangeError", () => {
    const viaMap = (): unknown => [1].map(viaMap);
    expect(caught(viaMap)).toBeInstanceOf(RangeError);
    expect(spawn(() => caught(viaMap) instanceof RangeError).join()).toBe(true);
  });

  test("rule 12: recursion through getters throws RangeError", () => {
    const o = {
      get x(): unknown {
        return this.x;
      },
    };
    expect(caught(() => o.x)).toBeInstanceOf(RangeError);
    expect(spawn(() => caught(() => o.x) instanceof RangeError).join()).toBe(true);
  });

  test("rule 12: recursion through JSON.stringify and toJSON throws RangeError", () => {
    const o = {
      toJSON(): unknown {
        return JSON.stringify(o);
      },
    };
    expect(caught(() => JSON.stringify(o))).toBeInstanceOf(RangeError);
    expect(spawn(() => caught(() => JSON.stringify(o)) instanceof RangeError).join()).toBe(true);
  });

  test("rule 12: recursion through sort comparators throws RangeError", () => {
    const viaSort = (): void => {
      [2, 1, 3].sort((a, b) => {
        viaSort();
        return a - b;
      });
    };
    expect(caught(viaSort)).toBeInstanceOf(RangeError);
    expect(spawn(() => caught(viaSort) instanceof RangeError).join()).toBe(true);
  });

  test("rule 12: recursion through String.prototype.replace callbacks and Proxy traps throws RangeError", () => {
    const viaReplace = (): string => "a".replace("a", viaReplace);
    expect(caught(viaReplace)).toBeInstanceOf(RangeError);
    const proxy: Record<string, unknown> = new Proxy({}, { get: (_t, key) => proxy[key as string] });
    expect(caught(() => proxy.x)).toBeInstanceOf(RangeError);
  });

  test("rule 12: deep recursion after a resume, and in promise reactions and timer callbacks, throws RangeError", () => {
    const f = spawn(() => {
      sleep(1);
      const first = caught(() => recurse(0));
      sleep(1);
      const second = caught(() => recurse(0));
      return first instanceof RangeError && second instanceof RangeError;
    });
    expect(f.join()).toBe(true);
    const reaction = wait(Promise.resolve().then(() => caught(() => recurse(0)) instanceof RangeError));
    expect(reaction).toBe(true);
    let fromTimer: unknown;
    setTimeout(() => {
      fromTimer = caught(() => recurse(0));
    }, 1);
    sleep(10);
    expect(fromTimer).toBeInstanceOf(RangeError);
  });

  test("rule 12: a fiber that waits deep in its stack and then recurses still gets RangeError", () => {
    const down = (n: number): boolean => {
      if (n > 0) return down(n - 1);
      sleep(1);
      return caught(() => recurse(0)) instanceof RangeError;
    };
    expect(spawn(() => down(5000)).join()).toBe(true);
  });

  test("rule 12: code recurses as deeply in a spawned fiber, after an await, in a promise callback and in a timer as in the main module", () => {
    const depth = (): number => {
      let n = 0;
      const f = (): void => {
        n++;
        f();
      };
      try {
        f();
      } catch {
        // RangeError: the depth is what counts
      }
      return n;
    };
    // The main module runs on an 8 MiB stack, like a main thread: about 13,000 plain calls.
    const places: Record<string, number> = {
      spawned: spawn(depth).join(),
      "after an await": wait((async () => {
        await null;
        return depth();
      })()),
      "a then callback": wait(Promise.resolve().then(depth)),
    };
    let fromTimer = 0;
    setTimeout(() => (fromTimer = depth()), 1);
    sleep(10);
    places.timer = fromTimer;
    for (const [where, n] of Object.entries(places)) {
      expect({ where, deep: n > 10_000 }).toEqual({ where, deep: true });
    }
    // JSON.parse of 2,000-deep input in a handler (after an await) works as it does in Node.
    const nested = "[".repeat(2000) + "]".repeat(2000);
    expect(wait(Promise.resolve().then(() => Array.isArray(JSON.parse(nested))))).toBe(true);
  });
});

describe("sleep's argument", () => {
  test("sleep(Infinity) waits like sleep(1e300): until cancelled", () => {
    for (const ms of [Infinity, 1e300]) {
      const f = spawn(() => sleep(ms));
      sleep(20);
      expect(f.done).toBe(false);
      f.cancel();
      expect(caught(() => f.join())).toBeInstanceOf(Cancelled);
    }
  });

  test("sleep of 0, a negative number or NaN returns at once", () => {
    for (const ms of [0, -5, NaN, -Infinity]) {
      expect(timed(() => sleep(ms))).toBeLessThan(50);
    }
  });
});

describe("Fiber objects and current()", () => {
  test("current() returns the running fiber: the same object each time, with a stable id, not done", () => {
    const a = current();
    const id = a.id;
    expect(current()).toBe(a);
    sleep(1);
    expect(current()).toBe(a);
    expect(current().id).toBe(id);
    expect(typeof id).toBe("number");
    expect(current().done).toBe(false);
    expect(current().cancelled).toBe(false);
  });

  test("current() in a spawned fiber is the Fiber that spawn returned", () => {
    let inside: Fiber | undefined;
    const f = spawn(() => {
      inside = current();
      sleep(1);
      return current() === inside;
    });
    expect(f.join()).toBe(true);
    expect(inside).toBe(f);
  });

  test("fibers have distinct ids", () => {
    const fibers = [spawn(() => 1), spawn(() => 2), spawn(() => 3)];
    const ids = new Set([current().id, ...fibers.map((f) => f.id)]);
    expect(ids.size).toBe(4);
    fibers.forEach((f) => f.join());
  });

  test("done and cancelled before and after the fiber ends", () => {
    const f = spawn(() => {
      sleep(5);
      return 1;
    });
    expect(f.done).toBe(false);
    expect(f.cancelled).toBe(false);
    f.join();
    expect(f.done).toBe(true);
    expect(f.cancelled).toBe(false);
    const failed = spawn(() => {
      throw new Error("x");
    });
    caught(() => failed.join());
    expect(failed.done).toBe(true);
    expect(failed.cancelled).toBe(false);
  });

  test("join() of the fiber itself throws an Error instead of hanging", () => {
    const me = current();
    const error = caught(() => me.join());
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(Cancelled);
  });

  test("join() of a fiber that the caller runs inside (an ancestor) throws an Error instead of hanging", () => {
    const outer = spawn(() => {
      const self = current();
      const child = spawn(() => caught(() => self.join()));
      return child.join();
    });
    const error = outer.join();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(Cancelled);
  });

  test("spawn() of something that is not a function throws TypeError", () => {
    expect(caught(() => spawn(42 as unknown as () => void))).toBeInstanceOf(TypeError);
  });

  test("Cancelled and TimeoutError are Errors with their own names", () => {
    expect(new Cancelled()).toBeInstanceOf(Error);
    expect(new Cancelled().name).toBe("Cancelled");
    expect(new TimeoutError()).toBeInstanceOf(Error);
    expect(new TimeoutError().name).toBe("TimeoutError");
  });
});

describe("stacks and exceptions across resumes", () => {
  test("new Error().stack in a resumed fiber shows only its own frames", () => {
    function alphaWorkerFn(): string {
      sleep(5);
      return new Error("alpha").stack ?? "";
    }
    function betaWorkerFn(): string {
      sleep(5);
      return new Error("beta").stack ?? "";
    }
    function spawnerOfWorkers(): [string, string] {
      const a = spawn(alphaWorkerFn);
      const b = spawn(betaWorkerFn);
      return [a.join(), b.join()];
    }
    const [alpha, beta] = spawnerOfWorkers();
    expect(alpha).toContain("alphaWorkerFn");
    expect(alpha).not.toContain("betaWorkerFn");
    expect(alpha).not.toContain("spawnerOfWorkers");
    expect(beta).toContain("betaWorkerFn");
    expect(beta).not.toContain("alphaWorkerFn");
    expect(beta).not.toContain("spawnerOfWorkers");
  });

  test("the stack after a resume still shows the fiber's own callers", () => {
    function innermostFrame(): string {
      sleep(2);
      return new Error().stack ?? "";
    }
    function middleFrame(): string {
      return innermostFrame();
    }
    const stack = spawn(middleFrame).join();
    expect(stack).toContain("innermostFrame");
    expect(stack).toContain("middleFrame");
  });

  test("an exception thrown after a resume propagates normally through try/catch and finally", () => {
    const log: string[] = [];
    function thrower(): never {
      sleep(2);
      throw new TypeError("after resume");
    }
    function middle(): void {
      try {
        thrower();
      } finally {
        log.push("finally in middle");
      }
    }
    try {
      middle();
    } catch (e) {
      log.push(`caught ${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(log).toEqual(["finally in middle", "caught TypeError: after resume"]);
    const f = spawn(() => {
      sleep(1);
      throw new SyntaxError("in a spawned fiber");
    });
    expect(caught(() => f.join())).toBeInstanceOf(SyntaxError);
  });

  test("an exception's stack captured after a resume points into the fiber's function", () => {
    function failsAfterSleepFn(): never {
      sleep(1);
      throw new Error("late");
    }
    const error = caught(() => spawn(failsAfterSleepFn).join());
    expect(error.stack).toContain("failsAfterSleepFn");
  });
});
