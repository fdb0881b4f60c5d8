// Event, CustomEvent, EventTarget, AbortController and AbortSignal, following
// the WHATWG DOM standard (§2 "Events" and §3 "Aborting ongoing activities").
//
// There is no node tree in this runtime, so an event's path is only its target:
// dispatch runs the target's capture listeners, then its other listeners, both
// with eventPhase AT_TARGET, exactly as the DOM does for a node with no parent.

import { defineConstants } from "./dom_exception.ts";
import { registerPlatformClass } from "./structured_clone.ts";
import { setUnrefTimeout } from "./timers.ts";

// ---------------------------------------------------------------------------
// Types

export type EventListener = (event: Event) => unknown;
export interface EventListenerObject {
  handleEvent(event: Event): unknown;
}
export type EventListenerOrEventListenerObject = EventListener | EventListenerObject;

export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}
export interface CustomEventInit<T = unknown> extends EventInit {
  detail?: T;
}
export interface EventListenerOptions {
  capture?: boolean;
}
export interface AddEventListenerOptions extends EventListenerOptions {
  once?: boolean;
  passive?: boolean;
  signal?: AbortSignal;
}

// Host functions this module uses when they exist. Looked up on every use so
// the runtime may install them after this module has loaded.
interface HostGlobals {
  performance?: { now(): number };
  reportError?: (error: unknown) => void;
  queueMicrotask?: (callback: () => void) => void;
}
const host = globalThis as unknown as HostGlobals;

// ---------------------------------------------------------------------------
// Small helpers

// WebIDL DOMString conversion: String(), but symbols throw a TypeError.
function toDOMString(value: unknown): string {
  return `${value}`;
}

function requireArguments(given: number, needed: number, what: string): void {
  if (given < needed) {
    throw new TypeError(`${what}: ${needed} argument(s) required, but only ${given} present`);
  }
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

// WebIDL dictionaries accept undefined, null or an object; anything else is a TypeError.
function dictionary<T extends object>(value: unknown, what: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new TypeError(`${what} must be an object`);
  return value as Partial<T>;
}

// WebIDL interface members show their interface name in Object.prototype.toString.
function setToStringTag(ctor: { prototype: object }, tag: string): void {
  Object.defineProperty(ctor.prototype, Symbol.toStringTag, { value: tag, configurable: true });
}

// Used for exceptions thrown by listeners: they must not interrupt the dispatch,
// yet must not be silently lost either ("report the exception" in HTML).
function reportException(error: unknown): void {
  const reportError = host.reportError;
  if (typeof reportError === "function") {
    try {
      reportError(error);
      return;
    } catch {
      // fall through to rethrowing it from a microtask
    }
  }
  const rethrow = () => {
    throw error;
  };
  if (typeof host.queueMicrotask === "function") host.queueMicrotask(rethrow);
  else Promise.resolve().then(rethrow);
}

function now(): number {
  const performance = host.performance;
  return performance && typeof performance.now === "function" ? performance.now() : Date.now();
}

// ---------------------------------------------------------------------------
// Event

const NONE = 0;
const CAPTURING_PHASE = 1;
const AT_TARGET = 2;
const BUBBLING_PHASE = 3;

// Everything the dispatch algorithm reads and writes. Kept in one private
// record so EventTarget (outside the Event class) can reach it through `stateOf`.
interface EventState {
  type: string;
  bubbles: boolean;
  cancelable: boolean;
  composed: boolean;
  timeStamp: number;
  isTrusted: boolean;
  target: EventTarget | null;
  currentTarget: EventTarget | null;
  eventPhase: number;
  dispatching: boolean;
  canceled: boolean;
  inPassiveListener: boolean;
  stopPropagation: boolean;
  stopImmediatePropagation: boolean;
}

let stateOf: (event: Event) => EventState;
let isEvent: (value: unknown) => value is Event;

export class Event {
  #state: EventState;

  constructor(type: string, eventInitDict?: EventInit) {
    requireArguments(arguments.length, 1, "Event constructor");
    type = toDOMString(type);
    const init = dictionary<EventInit>(eventInitDict, "EventInit");
    this.#state = {
      type,
      bubbles: Boolean(init.bubbles),
      cancelable: Boolean(init.cancelable),
      composed: Boolean(init.composed),
      timeStamp: now(),
      isTrusted: false,
      target: null,
      currentTarget: null,
      eventPhase: NONE,
      dispatching: false,
      canceled: false,
      inPassiveListener: false,
      stopPropagation: false,
      stopImmediatePropagation: false,
    };
  }

  get type(): string {
    return this.#state.type;
  }
  get target(): EventTarget | null {
    return this.#state.target;
  }
  /** Legacy alias of `target`. */
  get srcElement(): EventTarget | null {
    return this.#state.target;
  }
  get currentTarget(): EventTarget | null {
    return this.#state.currentTarget;
  }
  get eventPhase(): number {
    return this.#state.eventPhase;
  }
  get bubbles(): boolean {
    return this.#state.bubbles;
  }
  get cancelable(): boolean {
    return this.#state.cancelable;
  }
  get composed(): boolean {
    return this.#state.composed;
  }
  get defaultPrevented(): boolean {
    return this.#state.canceled;
  }
  get isTrusted(): boolean {
    return this.#state.isTrusted;
  }
  get timeStamp(): number {
    return this.#state.timeStamp;
  }

  /** The path is just the current target while dispatching, else empty. */
  composedPath(): EventTarget[] {
    const state = this.#state;
    return state.dispatching && state.currentTarget ? [state.currentTarget] : [];
  }

  stopPropagation(): void {
    this.#state.stopPropagation = true;
  }

  stopImmediatePropagation(): void {
    this.#state.stopPropagation = true;
    this.#state.stopImmediatePropagation = true;
  }

  /** Legacy: reading tells whether propagation was stopped; writing true stops it. */
  get cancelBubble(): boolean {
    return this.#state.stopPropagation;
  }
  set cancelBubble(value: boolean) {
    if (value) this.#state.stopPropagation = true;
  }

  preventDefault(): void {
    cancel(this.#state);
  }

  /** Legacy: false once the default was prevented; writing false prevents it. */
  get returnValue(): boolean {
    return !this.#state.canceled;
  }
  set returnValue(value: boolean) {
    if (!value) cancel(this.#state);
  }

  /** Legacy re-initialisation; does nothing while the event is being dispatched. */
  initEvent(type: string, bubbles = false, cancelable = false): void {
    requireArguments(arguments.length, 1, "initEvent");
    const state = this.#state;
    if (state.dispatching) return;
    state.stopPropagation = false;
    state.stopImmediatePropagation = false;
    state.canceled = false;
    state.isTrusted = false;
    state.target = null;
    state.type = toDOMString(type);
    state.bubbles = Boolean(bubbles);
    state.cancelable = Boolean(cancelable);
  }

  static readonly NONE = NONE;
  static readonly CAPTURING_PHASE = CAPTURING_PHASE;
  static readonly AT_TARGET = AT_TARGET;
  static readonly BUBBLING_PHASE = BUBBLING_PHASE;

  static {
    stateOf = (event) => event.#state;
    isEvent = (value): value is Event => isObject(value) && #state in value;
  }
}

// preventDefault() is ignored for non-cancelable events and inside passive listeners.
function cancel(state: EventState): void {
  if (state.cancelable && !state.inPassiveListener) state.canceled = true;
}

// Phase constants are WebIDL constants.
defineConstants(Event, ["NONE", "CAPTURING_PHASE", "AT_TARGET", "BUBBLING_PHASE"]);
setToStringTag(Event, "Event");

export class CustomEvent<T = unknown> extends Event {
  #detail: T | null;

  constructor(type: string, eventInitDict?: CustomEventInit<T>) {
    requireArguments(arguments.length, 1, "CustomEvent constructor");
    super(type, eventInitDict);
    // The dictionary was validated by Event; `detail` defaults to null.
    this.#detail = eventInitDict?.detail ?? null;
  }

  get detail(): T | null {
    return this.#detail;
  }

  /** Legacy re-initialisation; does nothing while the event is being dispatched. */
  initCustomEvent(type: string, bubbles = false, cancelable = false, detail: T | null = null): void {
    requireArguments(arguments.length, 1, "initCustomEvent");
    if (stateOf(this).dispatching) return;
    this.initEvent(type, bubbles, cancelable);
    this.#detail = detail;
  }
}
setToStringTag(CustomEvent, "CustomEvent");

/** Lets runtime code create events with isTrusted = true (e.g. "abort"). */
export function createTrustedEvent(type: string, init?: EventInit): Event {
  const event = new Event(type, init);
  stateOf(event).isTrusted = true;
  return event;
}

// ---------------------------------------------------------------------------
// EventTarget

interface Listener {
  type: string;
  callback: EventListenerOrEventListenerObject;
  capture: boolean;
  passive: boolean;
  once: boolean;
  // Set once the listener is removed, so a dispatch already holding a copy of
  // the list skips it.
  removed: boolean;
  // Undoes the registration on the `signal` option, if one was given.
  forgetSignal: (() => void) | null;
}

// The value of an `on<type>` attribute and the listener that runs it.
interface EventHandlerSlot {
  value: unknown;
  listener: Listener | null;
}

interface TargetState {
  // Per event type, in registration order.
  listeners: Map<string, Listener[]>;
  handlers: Map<string, EventHandlerSlot> | null;
}

// EventTarget state is kept in a WeakMap rather than in private fields so that
// `initEventTarget` can turn an existing object (such as globalThis) into an
// event target; private fields can only be added by a constructor.
const targets = new WeakMap<object, TargetState>();

function targetStateOf(target: unknown): TargetState {
  const state = isObject(target) ? targets.get(target) : undefined;
  if (!state) throw new TypeError("Illegal invocation: not an EventTarget");
  return state;
}

/**
 * Gives an existing object EventTarget behaviour. The runtime uses this for
 * globalThis, after pointing its prototype chain at EventTarget.prototype.
 */
export function initEventTarget(object: object): void {
  if (!targets.has(object)) targets.set(object, { listeners: new Map(), handlers: null });
}

// "Flatten more" from the DOM standard. Dictionary members are read in WebIDL
// order: inherited ones first, then alphabetical.
function flattenOptions(options: unknown): Required<Omit<AddEventListenerOptions, "signal">> & {
  signal: AbortSignal | null;
} {
  if (!isObject(options)) {
    return { capture: Boolean(options), once: false, passive: false, signal: null };
  }
  const dict = options as AddEventListenerOptions;
  const capture = Boolean(dict.capture);
  const once = Boolean(dict.once);
  const passive = Boolean(dict.passive);
  const signal = dict.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError("addEventListener: 'signal' must be an AbortSignal");
  }
  return { capture, once, passive, signal: signal ?? null };
}

function captureOption(options: unknown): boolean {
  return isObject(options) ? Boolean((options as EventListenerOptions).capture) : Boolean(options);
}

function findListener(
  list: Listener[] | undefined,
  callback: unknown,
  capture: boolean,
): Listener | undefined {
  return list?.find((l) => l.callback === callback && l.capture === capture);
}

function addListener(target: EventTarget, state: TargetState, listener: Listener): void {
  let list = state.listeners.get(listener.type);
  if (!list) state.listeners.set(listener.type, (list = []));
  list.push(listener);
  if (listener.type === "abort" && isAbortSignal(target)) retainIfNeeded(target);
}

function removeListener(target: EventTarget, state: TargetState, listener: Listener): void {
  if (listener.removed) return;
  listener.removed = true;
  listener.forgetSignal?.();
  const list = state.listeners.get(listener.type);
  if (list) {
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) state.listeners.delete(listener.type);
  }
  if (listener.type === "abort" && isAbortSignal(target)) retainIfNeeded(target);
}

function hasListeners(target: EventTarget, type: string): boolean {
  return targetStateOf(target).listeners.has(type);
}

export class EventTarget {
  constructor() {
    initEventTarget(this);
  }

  addEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const state = targetStateOf(this);
    requireArguments(arguments.length, 2, "addEventListener");
    type = toDOMString(type);
    const { capture, once, passive, signal } = flattenOptions(options);
    if (callback === null || callback === undefined) return;
    if (!isObject(callback)) {
      throw new TypeError("addEventListener: the listener must be a function or an object");
    }
    if (signal && signal.aborted) return;
    // The same callback may be registered once per (type, capture) pair.
    if (findListener(state.listeners.get(type), callback, capture)) return;

    const listener: Listener = {
      type,
      callback,
      capture,
      passive,
      once,
      removed: false,
      forgetSignal: null,
    };
    addListener(this, state, listener);
    if (signal) {
      listener.forgetSignal = addAbortAlgorithm(signal, () => removeListener(this, state, listener));
    }
  }

  removeEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    const state = targetStateOf(this);
    requireArguments(arguments.length, 2, "removeEventListener");
    type = toDOMString(type);
    const capture = captureOption(options);
    const listener = findListener(state.listeners.get(type), callback, capture);
    if (listener) removeListener(this, state, listener);
  }

  dispatchEvent(event: Event): boolean {
    targetStateOf(this);
    requireArguments(arguments.length, 1, "dispatchEvent");
    if (!isEvent(event)) throw new TypeError("dispatchEvent: argument is not an Event");
    const state = stateOf(event);
    if (state.dispatching) {
      throw new DOMException("The event is already being dispatched", "InvalidStateError");
    }
    state.isTrusted = false;
    return dispatch(this, event);
  }
}
setToStringTag(EventTarget, "EventTarget");

/**
 * Dispatches without resetting isTrusted, for events the runtime itself fires
 * (create them with `createTrustedEvent`).
 */
export function dispatchTrustedEvent(target: EventTarget, event: Event): boolean {
  return dispatch(target, event);
}

// The DOM "dispatch" algorithm, for a path consisting of the target alone.
function dispatch(target: EventTarget, event: Event): boolean {
  const state = stateOf(event);
  state.dispatching = true;
  state.target = target;
  state.eventPhase = AT_TARGET;
  try {
    invoke(target, event, state, true);
    invoke(target, event, state, false);
  } finally {
    state.eventPhase = NONE;
    state.currentTarget = null;
    state.dispatching = false;
    state.stopPropagation = false;
    state.stopImmediatePropagation = false;
  }
  return !state.canceled;
}

// "Invoke" + "inner invoke": run the listeners of one phase.
function invoke(target: EventTarget, event: Event, state: EventState, capturePhase: boolean): void {
  if (state.stopPropagation) return;
  state.currentTarget = target;
  const targetState = targetStateOf(target);
  const list = targetState.listeners.get(state.type);
  if (!list) return;
  // Iterate over a copy: listeners added during this phase must not run in it.
  // Removed ones are skipped through their `removed` flag.
  for (const listener of list.slice()) {
    if (listener.removed || listener.capture !== capturePhase) continue;
    if (listener.once) removeListener(target, targetState, listener);
    if (listener.passive) state.inPassiveListener = true;
    callListener(listener.callback, target, event);
    state.inPassiveListener = false;
    if (state.stopImmediatePropagation) return;
  }
}

function callListener(
  callback: EventListenerOrEventListenerObject,
  target: EventTarget,
  event: Event,
): void {
  try {
    if (typeof callback === "function") {
      callback.call(target, event);
    } else {
      // Looked up on every call, as WebIDL callback interfaces are.
      const handleEvent = callback.handleEvent;
      if (typeof handleEvent !== "function") {
        throw new TypeError("The listener object has no callable 'handleEvent' property");
      }
      handleEvent.call(callback, event);
    }
  } catch (error) {
    reportException(error);
  }
}

// ---------------------------------------------------------------------------
// Event handler attributes (`onabort` and the like), per HTML §8.1.8.
//
// The first time an attribute gets a value, a listener is added that calls
// whatever the attribute holds at dispatch time. Setting it to null removes
// that listener, so a later value is registered after any newer listeners.

export function getEventHandler(target: EventTarget, type: string): unknown {
  const slot = targetStateOf(target).handlers?.get(type);
  return slot ? slot.value : null;
}

export function setEventHandler(target: EventTarget, type: string, value: unknown): void {
  const state = targetStateOf(target);
  // EventHandler is [LegacyTreatNonObjectAsNull]: primitives mean "no handler".
  if (!isObject(value)) value = null;
  const handlers = (state.handlers ??= new Map());
  let slot = handlers.get(type);
  if (!slot) handlers.set(type, (slot = { value: null, listener: null }));
  slot.value = value;

  if (value === null) {
    if (slot.listener) removeListener(target, state, slot.listener);
    slot.listener = null;
  } else if (!slot.listener) {
    const handlerSlot = slot;
    slot.listener = {
      type,
      callback: (event: Event) => runEventHandler(handlerSlot.value, target, event),
      capture: false,
      passive: false,
      once: false,
      removed: false,
      forgetSignal: null,
    };
    addListener(target, state, slot.listener);
  }
}

function runEventHandler(handler: unknown, target: EventTarget, event: Event): void {
  if (typeof handler !== "function") return;
  // Returning false from an `on...` handler cancels the event.
  if (handler.call(target, event) === false) event.preventDefault();
}

/** Defines `on<type>` accessors on a prototype, for runtime classes. */
export function defineEventHandlerAttribute(prototype: object, type: string): void {
  Object.defineProperty(prototype, `on${type}`, {
    get(this: EventTarget) {
      return getEventHandler(this, type);
    },
    set(this: EventTarget, value: unknown) {
      setEventHandler(this, type, value);
    },
    enumerable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------------------
// AbortSignal

// AbortSignal's constructor is "illegal" for user code; the static factories
// and AbortController open this gate for the duration of one `new`.
let creatingSignal = false;

function createSignal(): AbortSignal {
  creatingSignal = true;
  try {
    return new AbortSignal();
  } finally {
    creatingSignal = false;
  }
}

function defaultAbortReason(): DOMException {
  return new DOMException("signal is aborted without reason", "AbortError");
}

// `AbortSignal.any()` may be called on a long-lived signal over and over (say,
// one per request). The source must then not keep every dependent signal
// alive forever, so it holds them through WeakRefs, and holds a dependent
// strongly only while that dependent has something to notify: an "abort"
// listener or an abort algorithm (the DOM standard's garbage-collection rule).
// Without WeakRef, dependents are simply held strongly.
interface DependentRef {
  deref(): AbortSignal | undefined;
}
const canHoldWeakly = typeof WeakRef === "function";
const refTo = (signal: AbortSignal): DependentRef =>
  canHoldWeakly ? new WeakRef(signal) : { deref: () => signal };

let signalInternals: (signal: AbortSignal) => SignalInternals;
let isAbortSignal: (value: unknown) => value is AbortSignal;

interface SignalInternals {
  aborted: boolean;
  reason: unknown;
  algorithms: Set<() => void>;
  // For a signal made by AbortSignal.any(): the non-dependent signals it follows.
  dependent: boolean;
  sources: AbortSignal[];
  // For a source signal: its dependents in the order they were created (the
  // order they get aborted in), and the ones it must keep alive.
  dependents: Set<DependentRef> | null;
  retainedDependents: Set<AbortSignal> | null;
  // Size of `dependents` after the last sweep of collected entries.
  sweptSize: number;
}

export class AbortSignal extends EventTarget {
  #internals: SignalInternals = {
    aborted: false,
    reason: undefined,
    algorithms: new Set(),
    dependent: false,
    sources: [],
    dependents: null,
    retainedDependents: null,
    sweptSize: 0,
  };

  constructor() {
    if (!creatingSignal) throw new TypeError("Illegal constructor");
    super();
  }

  /** A signal that is already aborted with `reason` (an "AbortError" if omitted). */
  static abort(reason?: unknown): AbortSignal {
    const signal = createSignal();
    signal.#internals.aborted = true;
    signal.#internals.reason = reason === undefined ? defaultAbortReason() : reason;
    return signal;
  }

  /** A signal that aborts with a "TimeoutError" after `milliseconds`. */
  static timeout(milliseconds: number): AbortSignal {
    requireArguments(arguments.length, 1, "AbortSignal.timeout");
    const ms = enforceRangeUnsignedLongLong(milliseconds);
    const signal = createSignal();
    setLongTimeout(() => {
      signalAbort(signal, new DOMException("signal timed out", "TimeoutError"));
    }, ms);
    return signal;
  }

  /** A signal that aborts as soon as any of `signals` does, with its reason. */
  static any(signals: Iterable<AbortSignal>): AbortSignal {
    requireArguments(arguments.length, 1, "AbortSignal.any");
    if (!isObject(signals) || typeof (signals as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError("AbortSignal.any: argument must be an iterable of AbortSignal");
    }
    const list = Array.from(signals as Iterable<unknown>);
    for (const signal of list) {
      if (!isAbortSignal(signal)) throw new TypeError("AbortSignal.any: not an AbortSignal");
    }
    return createDependentSignal(list as AbortSignal[]);
  }

  get aborted(): boolean {
    return this.#internals.aborted;
  }

  get reason(): unknown {
    return this.#internals.reason;
  }

  throwIfAborted(): void {
    if (this.#internals.aborted) throw this.#internals.reason;
  }

  get onabort(): ((this: AbortSignal, event: Event) => unknown) | null {
    return getEventHandler(this, "abort") as ((event: Event) => unknown) | null;
  }
  set onabort(value: ((this: AbortSignal, event: Event) => unknown) | null) {
    setEventHandler(this, "abort", value);
  }

  static {
    signalInternals = (signal) => signal.#internals;
    isAbortSignal = (value): value is AbortSignal => isObject(value) && #internals in value;
  }
}
setToStringTag(AbortSignal, "AbortSignal");

// WebIDL [EnforceRange] unsigned long long.
function enforceRangeUnsignedLongLong(value: unknown): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new TypeError("Value is not a finite number");
  const integer = Math.trunc(number);
  if (integer < 0 || integer > Number.MAX_SAFE_INTEGER) {
    throw new TypeError("Value is outside the unsigned long long range");
  }
  return integer;
}

// Timer delays are commonly limited to a signed 32-bit count of milliseconds
// and fire at once when larger; longer waits are chained.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** A pending timeout signal alone does not keep the program running. */
function setLongTimeout(callback: () => void, ms: number): void {
  const delay = Math.min(ms, MAX_TIMER_DELAY);
  setUnrefTimeout(() => {
    if (ms > delay) setLongTimeout(callback, ms - delay);
    else callback();
  }, delay);
}

function createDependentSignal(signals: AbortSignal[]): AbortSignal {
  const result = createSignal();
  const internals = signalInternals(result);
  for (const signal of signals) {
    const source = signalInternals(signal);
    if (source.aborted) {
      internals.aborted = true;
      internals.reason = source.reason;
      return result;
    }
  }
  internals.dependent = true;
  for (const signal of signals) {
    // A dependent signal follows the sources of another dependent signal
    // directly, so chains of any() never grow deeper than one level.
    const sources = signalInternals(signal).dependent ? signalInternals(signal).sources : [signal];
    for (const source of sources) {
      if (!internals.sources.includes(source)) {
        internals.sources.push(source);
        addDependent(source, result);
      }
    }
  }
  return result;
}

function addDependent(source: AbortSignal, dependent: AbortSignal): void {
  const internals = signalInternals(source);
  const dependents = (internals.dependents ??= new Set());
  dependents.add(refTo(dependent));
  // Drop references to collected dependents now and then, so the set stays
  // proportional to the live ones; doubling keeps this amortised O(1).
  if (dependents.size > 2 * internals.sweptSize + 16) {
    for (const ref of dependents) if (ref.deref() === undefined) dependents.delete(ref);
    internals.sweptSize = dependents.size;
  }
}

function liveDependents(source: SignalInternals): AbortSignal[] {
  const result: AbortSignal[] = [];
  if (source.dependents) {
    for (const ref of source.dependents) {
      const dependent = ref.deref();
      if (dependent) result.push(dependent);
    }
  }
  return result;
}

// Keep a dependent signal reachable from its sources exactly while it is not
// aborted and has an "abort" listener or abort algorithm.
function retainIfNeeded(signal: AbortSignal): void {
  const internals = signalInternals(signal);
  if (!internals.dependent || !canHoldWeakly) return;
  const needed =
    !internals.aborted && (internals.algorithms.size > 0 || hasListeners(signal, "abort"));
  for (const source of internals.sources) {
    const sourceInternals = signalInternals(source);
    if (needed) (sourceInternals.retainedDependents ??= new Set()).add(signal);
    else sourceInternals.retainedDependents?.delete(signal);
  }
}

/**
 * Runs `algorithm` when `signal` aborts (before its "abort" event fires).
 * Returns a function that unregisters it. For runtime code such as fetch.
 */
export function addAbortAlgorithm(signal: AbortSignal, algorithm: () => void): () => void {
  const internals = signalInternals(signal);
  if (internals.aborted) return () => {};
  // Wrapped so that registering the same function twice gives two entries.
  const entry = () => algorithm();
  internals.algorithms.add(entry);
  retainIfNeeded(signal);
  return () => {
    if (internals.algorithms.delete(entry)) retainIfNeeded(signal);
  };
}

/** The DOM "signal abort" algorithm; `reason` undefined means "no reason given". */
export function signalAbort(signal: AbortSignal, reason?: unknown): void {
  const internals = signalInternals(signal);
  if (internals.aborted) return;
  internals.aborted = true;
  internals.reason = reason === undefined ? defaultAbortReason() : reason;

  // Dependents are all marked aborted before any abort steps run, so listeners
  // of the source already observe them as aborted.
  const dependentsToAbort: AbortSignal[] = [];
  for (const dependent of liveDependents(internals)) {
    const dependentInternals = signalInternals(dependent);
    if (dependentInternals.aborted) continue;
    dependentInternals.aborted = true;
    dependentInternals.reason = internals.reason;
    dependentsToAbort.push(dependent);
  }
  internals.dependents = null;
  internals.retainedDependents = null;

  runAbortSteps(signal);
  for (const dependent of dependentsToAbort) runAbortSteps(dependent);
}

function runAbortSteps(signal: AbortSignal): void {
  const internals = signalInternals(signal);
  const algorithms = [...internals.algorithms];
  internals.algorithms.clear();
  for (const algorithm of algorithms) {
    try {
      algorithm();
    } catch (error) {
      reportException(error);
    }
  }
  // An aborted signal can never fire again; it need not follow its sources.
  internals.sources = [];
  dispatch(signal, createTrustedEvent("abort"));
}

// ---------------------------------------------------------------------------
// AbortController

let isAbortController: (value: unknown) => value is AbortController;

export class AbortController {
  #signal: AbortSignal = createSignal();

  get signal(): AbortSignal {
    return this.#signal;
  }

  /** Aborts the signal; `reason` defaults to an "AbortError" DOMException. */
  abort(reason?: unknown): void {
    signalAbort(this.#signal, reason);
  }

  static {
    isAbortController = (value): value is AbortController => isObject(value) && #signal in value;
  }
}
setToStringTag(AbortController, "AbortController");

// ---------------------------------------------------------------------------
// None of these can be passed through structuredClone() (they are platform
// objects that are not serializable), so it must not turn them into plain objects.

registerPlatformClass((value) => isEvent(value));
registerPlatformClass((value) => targets.has(value));
registerPlatformClass((value) => isAbortController(value));
