// Event, CustomEvent, EventTarget, AbortController, AbortSignal (WHATWG DOM)
// and DOMException (WebIDL).

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";
import {
  Event,
  CustomEvent,
  EventTarget,
  AbortController,
  AbortSignal,
  initEventTarget,
  addAbortAlgorithm,
} from "uringy:internal/events";

/** Runs `fn` with globalThis.reportError replaced, and returns what was reported. */
function reportedDuring(fn: () => void): unknown[] {
  const host = globalThis as { reportError?: unknown };
  const original = host.reportError;
  const reported: unknown[] = [];
  host.reportError = (error: unknown) => reported.push(error);
  try {
    fn();
  } finally {
    host.reportError = original;
  }
  return reported;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("DOMException", () => {
  test("has the given message and name, and is an Error", () => {
    const error = new DOMException("went wrong", "NotFoundError");
    expect(error.message).toBe("went wrong");
    expect(error.name).toBe("NotFoundError");
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe("NotFoundError: went wrong");
  });

  test("defaults to an empty message and the name Error", () => {
    const error = new DOMException();
    expect(error.message).toBe("");
    expect(error.name).toBe("Error");
    expect(error.code).toBe(0);
  });

  test("code comes from the legacy error names table", () => {
    expect(new DOMException("", "IndexSizeError").code).toBe(1);
    expect(new DOMException("", "InvalidCharacterError").code).toBe(5);
    expect(new DOMException("", "InvalidStateError").code).toBe(11);
    expect(new DOMException("", "AbortError").code).toBe(20);
    expect(new DOMException("", "TimeoutError").code).toBe(23);
    expect(new DOMException("", "DataCloneError").code).toBe(25);
  });

  test("names outside the table have code 0", () => {
    expect(new DOMException("", "EncodingError").code).toBe(0);
    expect(new DOMException("", "toString").code).toBe(0);
  });

  test("code constants exist on the constructor and on instances", () => {
    expect(DOMException.ABORT_ERR).toBe(20);
    expect(DOMException.INDEX_SIZE_ERR).toBe(1);
    expect(DOMException.DATA_CLONE_ERR).toBe(25);
    expect((new DOMException() as DOMException & { TIMEOUT_ERR: number }).TIMEOUT_ERR).toBe(23);
  });

  test("code constants are read-only", () => {
    expect(Object.getOwnPropertyDescriptor(DOMException, "ABORT_ERR")!.writable).toBe(false);
  });

  test("name, message and code are accessors, not own properties", () => {
    const error = new DOMException("m", "AbortError");
    expect(Object.hasOwn(error, "message")).toBe(false);
    expect(Object.hasOwn(error, "name")).toBe(false);
    expect(Object.keys(error)).toHaveLength(0);
  });

  test("Object.prototype.toString reports DOMException", () => {
    expect(Object.prototype.toString.call(new DOMException())).toBe("[object DOMException]");
  });
});

describe("Event", () => {
  test("has the given type and default flags", () => {
    const event = new Event("ping");
    expect(event.type).toBe("ping");
    expect(event.bubbles).toBe(false);
    expect(event.cancelable).toBe(false);
    expect(event.composed).toBe(false);
    expect(event.defaultPrevented).toBe(false);
    expect(event.isTrusted).toBe(false);
    expect(event.target).toBe(null);
    expect(event.currentTarget).toBe(null);
    expect(event.eventPhase).toBe(Event.NONE);
  });

  test("takes bubbles, cancelable and composed from its init dictionary", () => {
    const event = new Event("ping", { bubbles: true, cancelable: true, composed: true });
    expect(event.bubbles).toBe(true);
    expect(event.cancelable).toBe(true);
    expect(event.composed).toBe(true);
  });

  test("requires a type", () => {
    expect(() => new (Event as unknown as new () => Event)()).toThrow(TypeError);
  });

  test("rejects an init dictionary that is not an object", () => {
    expect(() => new Event("x", 5 as unknown as {})).toThrow(TypeError);
  });

  test("timeStamp is a number of milliseconds", () => {
    expect(typeof new Event("x").timeStamp).toBe("number");
  });

  test("phase constants exist on the constructor and prototype", () => {
    expect(Event.NONE).toBe(0);
    expect(Event.CAPTURING_PHASE).toBe(1);
    expect(Event.AT_TARGET).toBe(2);
    expect(Event.BUBBLING_PHASE).toBe(3);
    expect((new Event("x") as Event & { AT_TARGET: number }).AT_TARGET).toBe(2);
  });

  test("preventDefault works only on cancelable events", () => {
    const plain = new Event("x");
    plain.preventDefault();
    expect(plain.defaultPrevented).toBe(false);
    const cancelable = new Event("x", { cancelable: true });
    cancelable.preventDefault();
    expect(cancelable.defaultPrevented).toBe(true);
  });

  test("returnValue = false prevents the default", () => {
    const event = new Event("x", { cancelable: true });
    event.returnValue = false;
    expect(event.defaultPrevented).toBe(true);
    expect(event.returnValue).toBe(false);
  });

  test("getters throw TypeError on objects that are not events", () => {
    const getter = Object.getOwnPropertyDescriptor(Event.prototype, "type")!.get!;
    expect(() => getter.call({})).toThrow(TypeError);
  });

  test("CustomEvent carries detail, which defaults to null", () => {
    const event = new CustomEvent("data", { detail: { id: 1 } });
    expect(event.detail).toEqual({ id: 1 });
    expect(event).toBeInstanceOf(Event);
    expect(new CustomEvent("data").detail).toBe(null);
  });
});

describe("EventTarget listeners", () => {
  test("dispatchEvent calls a listener with the event, target as this and phase AT_TARGET", () => {
    const target = new EventTarget();
    const event = new Event("ping");
    const seen: unknown[] = [];
    target.addEventListener("ping", function (this: unknown, e: Event) {
      seen.push(this === target, e === event, e.target === target, e.currentTarget === target, e.eventPhase);
    });
    target.dispatchEvent(event);
    expect(seen).toEqual([true, true, true, true, Event.AT_TARGET]);
  });

  test("after dispatch, currentTarget is null and eventPhase NONE, target stays", () => {
    const target = new EventTarget();
    const event = new Event("ping");
    target.dispatchEvent(event);
    expect(event.currentTarget).toBe(null);
    expect(event.eventPhase).toBe(Event.NONE);
    expect(event.target).toBe(target);
  });

  test("listeners of other types are not called", () => {
    const target = new EventTarget();
    let calls = 0;
    target.addEventListener("a", () => calls++);
    target.dispatchEvent(new Event("b"));
    expect(calls).toBe(0);
  });

  test("listeners run in the order they were added", () => {
    const target = new EventTarget();
    const order: number[] = [];
    target.addEventListener("x", () => order.push(1));
    target.addEventListener("x", () => order.push(2));
    target.addEventListener("x", () => order.push(3));
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual([1, 2, 3]);
  });

  test("adding the same listener twice registers it once", () => {
    const target = new EventTarget();
    let calls = 0;
    const listener = () => calls++;
    target.addEventListener("x", listener);
    target.addEventListener("x", listener);
    target.addEventListener("x", listener, { once: true });
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(1);
  });

  test("the capture flag is part of a listener's identity", () => {
    const target = new EventTarget();
    let calls = 0;
    const listener = () => calls++;
    target.addEventListener("x", listener);
    target.addEventListener("x", listener, true);
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(2);
    target.removeEventListener("x", listener, { capture: true });
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(3);
  });

  test("capture listeners run before the others", () => {
    const target = new EventTarget();
    const order: string[] = [];
    target.addEventListener("x", () => order.push("normal"));
    target.addEventListener("x", () => order.push("capture"), { capture: true });
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["capture", "normal"]);
  });

  test("removeEventListener removes a listener", () => {
    const target = new EventTarget();
    let calls = 0;
    const listener = () => calls++;
    target.addEventListener("x", listener);
    target.removeEventListener("x", listener);
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(0);
  });

  test("an object with handleEvent can be a listener, looked up at each call", () => {
    const target = new EventTarget();
    const seen: unknown[] = [];
    const listener = {
      handleEvent(this: unknown, event: Event) {
        seen.push(this === listener, event.type);
      },
    };
    target.addEventListener("x", listener);
    target.dispatchEvent(new Event("x"));
    listener.handleEvent = () => {
      seen.push("replaced");
    };
    target.dispatchEvent(new Event("x"));
    expect(seen).toEqual([true, "x", "replaced"]);
  });

  test("a null listener is ignored", () => {
    const target = new EventTarget();
    target.addEventListener("x", null);
    expect(target.dispatchEvent(new Event("x"))).toBe(true);
  });

  test("a listener that is neither a function nor an object throws TypeError", () => {
    const target = new EventTarget();
    expect(() => target.addEventListener("x", 5 as unknown as () => void)).toThrow(TypeError);
  });

  test("addEventListener requires two arguments", () => {
    const target = new EventTarget();
    expect(() => (target.addEventListener as (type: string) => void)("x")).toThrow(TypeError);
  });

  test("once removes the listener before its first call", () => {
    const target = new EventTarget();
    let calls = 0;
    target.addEventListener(
      "x",
      () => {
        calls++;
        target.dispatchEvent(new Event("x"));
      },
      { once: true },
    );
    target.dispatchEvent(new Event("x"));
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(1);
  });

  test("a listener added during dispatch is not called by that dispatch", () => {
    const target = new EventTarget();
    const order: string[] = [];
    target.addEventListener("x", () => {
      order.push("first");
      target.addEventListener("x", () => order.push("added"));
    });
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["first"]);
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["first", "first", "added"]);
  });

  test("a listener removed during dispatch is not called", () => {
    const target = new EventTarget();
    const order: string[] = [];
    const second = () => order.push("second");
    target.addEventListener("x", () => {
      order.push("first");
      target.removeEventListener("x", second);
    });
    target.addEventListener("x", second);
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["first"]);
  });

  test("a throwing listener does not stop the others, and the error is reported", () => {
    const target = new EventTarget();
    const failure = new Error("listener failed");
    let secondRan = false;
    target.addEventListener("x", () => {
      throw failure;
    });
    target.addEventListener("x", () => {
      secondRan = true;
    });
    let result: boolean | undefined;
    const reported = reportedDuring(() => {
      result = target.dispatchEvent(new Event("x"));
    });
    expect(secondRan).toBe(true);
    expect(result).toBe(true);
    expect(reported).toEqual([failure]);
    expect(reported[0]).toBe(failure);
  });

  test("a listener object without a callable handleEvent reports a TypeError", () => {
    const target = new EventTarget();
    target.addEventListener("x", {} as { handleEvent(event: Event): void });
    const reported = reportedDuring(() => target.dispatchEvent(new Event("x")));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(TypeError);
  });

  test("stopImmediatePropagation skips the remaining listeners", () => {
    const target = new EventTarget();
    const order: string[] = [];
    target.addEventListener("x", (event) => {
      order.push("first");
      event.stopImmediatePropagation();
    });
    target.addEventListener("x", () => order.push("second"));
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["first"]);
  });

  test("stopPropagation in a capture listener skips the target's other listeners", () => {
    const target = new EventTarget();
    const order: string[] = [];
    target.addEventListener("x", (event) => {
      order.push("capture");
      event.stopPropagation();
    }, true);
    target.addEventListener("x", () => order.push("normal"));
    target.dispatchEvent(new Event("x"));
    expect(order).toEqual(["capture"]);
  });

  test("propagation flags are cleared after dispatch so the event can be dispatched again", () => {
    const target = new EventTarget();
    const event = new Event("x");
    let calls = 0;
    target.addEventListener("x", (e) => {
      calls++;
      e.stopImmediatePropagation();
    });
    target.dispatchEvent(event);
    expect(event.cancelBubble).toBe(false);
    target.dispatchEvent(event);
    expect(calls).toBe(2);
  });

  test("dispatchEvent returns false when a listener prevented the default", () => {
    const target = new EventTarget();
    target.addEventListener("x", (event) => event.preventDefault());
    expect(target.dispatchEvent(new Event("x", { cancelable: true }))).toBe(false);
    expect(target.dispatchEvent(new Event("x"))).toBe(true);
  });

  test("preventDefault is ignored in a passive listener", () => {
    const target = new EventTarget();
    let preventedInside: boolean | undefined;
    target.addEventListener(
      "x",
      (event) => {
        event.preventDefault();
        preventedInside = event.defaultPrevented;
      },
      { passive: true },
    );
    expect(target.dispatchEvent(new Event("x", { cancelable: true }))).toBe(true);
    expect(preventedInside).toBe(false);
  });

  test("dispatching an event that is being dispatched throws InvalidStateError", () => {
    const target = new EventTarget();
    const event = new Event("x");
    let error: any;
    target.addEventListener("x", () => {
      error = thrown(() => target.dispatchEvent(event));
    });
    target.dispatchEvent(event);
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe("InvalidStateError");
  });

  test("dispatchEvent rejects objects that are not events", () => {
    const target = new EventTarget();
    expect(() => target.dispatchEvent({ type: "x" } as unknown as Event)).toThrow(TypeError);
  });

  test("isTrusted is false for events dispatched by script", () => {
    const target = new EventTarget();
    let trusted: boolean | undefined;
    target.addEventListener("x", (event) => {
      trusted = event.isTrusted;
    });
    target.dispatchEvent(new Event("x"));
    expect(trusted).toBe(false);
  });

  test("composedPath is the target during dispatch and empty otherwise", () => {
    const target = new EventTarget();
    const event = new Event("x");
    let path: EventTarget[] = [];
    target.addEventListener("x", (e) => {
      path = e.composedPath();
    });
    target.dispatchEvent(event);
    expect(path).toHaveLength(1);
    expect(path[0]).toBe(target);
    expect(event.composedPath()).toHaveLength(0);
  });

  test("a subclass of EventTarget works as a target", () => {
    class Emitter extends EventTarget {}
    const emitter = new Emitter();
    let target: unknown;
    emitter.addEventListener("x", (event) => {
      target = event.target;
    });
    emitter.dispatchEvent(new Event("x"));
    expect(target).toBe(emitter);
  });

  test("initEventTarget turns an existing object into an event target", () => {
    const object = Object.create(EventTarget.prototype) as EventTarget;
    initEventTarget(object);
    let calls = 0;
    object.addEventListener("x", () => calls++);
    object.dispatchEvent(new Event("x"));
    expect(calls).toBe(1);
  });

  test("methods throw TypeError on objects that are not event targets", () => {
    expect(() => EventTarget.prototype.addEventListener.call({}, "x", () => {})).toThrow(TypeError);
  });
});

describe("the signal option of addEventListener", () => {
  test("aborting the signal removes the listener", () => {
    const target = new EventTarget();
    const controller = new AbortController();
    let calls = 0;
    target.addEventListener("x", () => calls++, { signal: controller.signal });
    target.dispatchEvent(new Event("x"));
    controller.abort();
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(1);
  });

  test("an already aborted signal means the listener is not added", () => {
    const target = new EventTarget();
    let calls = 0;
    target.addEventListener("x", () => calls++, { signal: AbortSignal.abort() });
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(0);
  });

  test("a signal that is not an AbortSignal throws TypeError", () => {
    const target = new EventTarget();
    const options = { signal: {} as AbortSignal };
    expect(() => target.addEventListener("x", () => {}, options)).toThrow(TypeError);
  });

  test("aborting only removes the registration the signal was given with", () => {
    const target = new EventTarget();
    const controller = new AbortController();
    let calls = 0;
    const listener = () => calls++;
    target.addEventListener("x", listener, { signal: controller.signal });
    target.removeEventListener("x", listener);
    target.addEventListener("x", listener);
    controller.abort();
    target.dispatchEvent(new Event("x"));
    expect(calls).toBe(1);
  });
});

describe("AbortController and AbortSignal", () => {
  test("a new signal is not aborted and has no reason", () => {
    const { signal } = new AbortController();
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBe(undefined);
    expect(signal).toBeInstanceOf(EventTarget);
  });

  test("abort() without a reason uses an AbortError DOMException", () => {
    const controller = new AbortController();
    controller.abort();
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(DOMException);
    expect((controller.signal.reason as DOMException).name).toBe("AbortError");
    expect((controller.signal.reason as DOMException).code).toBe(20);
  });

  test("abort(reason) keeps the reason as given, even null", () => {
    const controller = new AbortController();
    controller.abort("stopped");
    expect(controller.signal.reason).toBe("stopped");
    const other = new AbortController();
    other.abort(null);
    expect(other.signal.reason).toBe(null);
  });

  test("abort fires one trusted, non-cancelable abort event", () => {
    const controller = new AbortController();
    const events: Event[] = [];
    controller.signal.addEventListener("abort", (event) => events.push(event));
    controller.abort();
    controller.abort("again");
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe("abort");
    expect(events[0].isTrusted).toBe(true);
    expect(events[0].cancelable).toBe(false);
    expect((controller.signal.reason as DOMException).name).toBe("AbortError");
  });

  test("the signal is already aborted when abort listeners run", () => {
    const controller = new AbortController();
    let abortedInside: boolean | undefined;
    controller.signal.addEventListener("abort", () => {
      abortedInside = controller.signal.aborted;
    });
    controller.abort();
    expect(abortedInside).toBe(true);
  });

  test("throwIfAborted throws the reason once aborted", () => {
    const controller = new AbortController();
    controller.signal.throwIfAborted();
    const reason = new Error("why");
    controller.abort(reason);
    expect(thrown(() => controller.signal.throwIfAborted())).toBe(reason);
  });

  test("onabort is called with the signal as this", () => {
    const controller = new AbortController();
    let self: unknown;
    controller.signal.onabort = function (this: AbortSignal) {
      self = this;
    };
    expect(typeof controller.signal.onabort).toBe("function");
    controller.abort();
    expect(self).toBe(controller.signal);
  });

  test("onabort = null unregisters the handler", () => {
    const controller = new AbortController();
    let calls = 0;
    controller.signal.onabort = () => calls++;
    controller.signal.onabort = null;
    controller.abort();
    expect(calls).toBe(0);
    expect(controller.signal.onabort).toBe(null);
  });

  test("replacing onabort keeps the handler's place among the listeners", () => {
    const controller = new AbortController();
    const order: string[] = [];
    controller.signal.onabort = () => order.push("first handler");
    controller.signal.addEventListener("abort", () => order.push("listener"));
    controller.signal.onabort = () => order.push("second handler");
    controller.abort();
    expect(order).toEqual(["second handler", "listener"]);
  });

  test("setting onabort to a primitive clears it", () => {
    const { signal } = new AbortController();
    signal.onabort = 5 as unknown as null;
    expect(signal.onabort).toBe(null);
  });

  test("AbortSignal cannot be constructed directly", () => {
    expect(() => new (AbortSignal as unknown as new () => AbortSignal)()).toThrow(TypeError);
  });

  test("AbortSignal.abort() returns an aborted signal", () => {
    const signal = AbortSignal.abort();
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe("AbortError");
    expect(AbortSignal.abort(42).reason).toBe(42);
  });

  test("abort algorithms run before the abort event", () => {
    const controller = new AbortController();
    const order: string[] = [];
    controller.signal.addEventListener("abort", () => order.push("event"));
    addAbortAlgorithm(controller.signal, () => order.push("algorithm"));
    controller.abort();
    expect(order).toEqual(["algorithm", "event"]);
  });

  test("an abort algorithm can be unregistered", () => {
    const controller = new AbortController();
    let calls = 0;
    const unregister = addAbortAlgorithm(controller.signal, () => calls++);
    unregister();
    controller.abort();
    expect(calls).toBe(0);
  });
});

describe("AbortSignal.timeout", () => {
  test("aborts with a TimeoutError DOMException after the delay", async () => {
    const signal = AbortSignal.timeout(5);
    expect(signal.aborted).toBe(false);
    let fired = false;
    signal.addEventListener("abort", () => {
      fired = true;
    });
    await sleep(50);
    expect(fired).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe("TimeoutError");
    expect((signal.reason as DOMException).code).toBe(23);
  });

  test("rejects negative and non-finite delays with TypeError", () => {
    expect(() => AbortSignal.timeout(-1)).toThrow(TypeError);
    expect(() => AbortSignal.timeout(NaN)).toThrow(TypeError);
    expect(() => AbortSignal.timeout(Infinity)).toThrow(TypeError);
  });
});

describe("AbortSignal.any", () => {
  test("aborts with the reason of the first source to abort", () => {
    const a = new AbortController();
    const b = new AbortController();
    const signal = AbortSignal.any([a.signal, b.signal]);
    expect(signal.aborted).toBe(false);
    b.abort("b first");
    a.abort("a second");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("b first");
  });

  test("is already aborted when a source is, with the first aborted source's reason", () => {
    const signal = AbortSignal.any([
      new AbortController().signal,
      AbortSignal.abort("first"),
      AbortSignal.abort("second"),
    ]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("first");
  });

  test("fires its abort event after the source's", () => {
    const controller = new AbortController();
    const combined = AbortSignal.any([controller.signal]);
    const order: string[] = [];
    combined.addEventListener("abort", () => order.push("combined"));
    controller.signal.addEventListener("abort", () => order.push(`source (combined aborted: ${combined.aborted})`));
    controller.abort();
    expect(order).toEqual(["source (combined aborted: true)", "combined"]);
  });

  test("follows the sources of a combined signal it is given", () => {
    const controller = new AbortController();
    const inner = AbortSignal.any([controller.signal]);
    const outer = AbortSignal.any([inner]);
    const order: string[] = [];
    inner.onabort = () => order.push("inner");
    outer.onabort = () => order.push("outer");
    controller.abort("r");
    expect(order).toEqual(["inner", "outer"]);
    expect(outer.reason).toBe("r");
  });

  test("with no signals it never aborts", () => {
    expect(AbortSignal.any([]).aborted).toBe(false);
  });

  test("rejects values that are not AbortSignals", () => {
    expect(() => AbortSignal.any([{} as AbortSignal])).toThrow(TypeError);
    expect(() => AbortSignal.any(5 as unknown as AbortSignal[])).toThrow(TypeError);
  });

  test("a combined signal with only a listener keeps working (is not collected)", () => {
    const controller = new AbortController();
    let fired = 0;
    for (let i = 0; i < 3; i++) {
      AbortSignal.any([controller.signal]).addEventListener("abort", () => fired++);
    }
    for (let i = 0; i < 10_000; i++) AbortSignal.any([controller.signal]);
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === "function") gc();
    controller.abort();
    expect(fired).toBe(3);
  });
});
