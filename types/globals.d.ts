// The globals Uringy provides on top of the ECMAScript built-ins (API.md, "Globals").
//
// Declared here rather than taken from the DOM lib or @types/node, so that the types promise
// exactly what the runtime has. Constructors are declared the way TypeScript's own libs do it
// (an interface for instances, a `var` for the constructor), so they are also properties of
// `globalThis`.

// ---------------------------------------------------------------------------------------------
// console

interface ConsoleDirOptions {
  /** How many levels of nested objects to show; `null` (or `Infinity`) for all. Default 2. */
  depth?: number | null;
  /** ANSI colors (Node's palette). Default: as for `console.log` (a terminal, unless NO_COLOR). */
  colors?: boolean;
  /** A number n keeps up to n inner levels on one line when they fit within `breakLength`;
   *  `false` puts every property on its own line; `true` is Node's legacy compact mode.
   *  Default 3. */
  compact?: number | boolean;
  /** Line width at which output is split over several lines. Default 80. */
  breakLength?: number;
  /** Sort object keys and Map and Set entries; a function is used as the comparator. */
  sorted?: boolean | ((a: string, b: string) => number);
  /** Also show non-enumerable properties (as `[key]: value`). Default false. */
  showHidden?: boolean;
  /** Honour `[Symbol.for("nodejs.util.inspect.custom")]` methods. Default true. */
  customInspect?: boolean;
  /** At most this many elements of arrays, typed arrays, Maps and Sets. Default 100. */
  maxArrayLength?: number | null;
  /** At most this many characters of a string. Default 10000. */
  maxStringLength?: number | null;
}

interface Console {
  /** Prints to stdout, formatting objects the way Node's `util.inspect` does. */
  log(...data: unknown[]): void;
  /** Same as `log`. */
  info(...data: unknown[]): void;
  /** Same as `log`. */
  debug(...data: unknown[]): void;
  /** Prints to stderr. */
  warn(...data: unknown[]): void;
  /** Prints to stderr. */
  error(...data: unknown[]): void;
  /** Prints `Trace: …` and the current stack to stderr. */
  trace(...data: unknown[]): void;
  /** Prints an array or object as a table, optionally only the given columns. */
  table(tabularData: unknown, properties?: readonly string[]): void;
  /** Starts a timer named `label` (default `"default"`). */
  time(label?: string): void;
  /** Prints the timer's elapsed time and stops it. */
  timeEnd(label?: string): void;
  /** Prints the timer's elapsed time (and `data`), leaving it running. */
  timeLog(label?: string, ...data: unknown[]): void;
  /** Prints how many times `count` was called with `label` (default `"default"`). */
  count(label?: string): void;
  countReset(label?: string): void;
  /** Prints `label`, then indents what follows until `groupEnd`. */
  group(...label: unknown[]): void;
  groupEnd(): void;
  /** Prints one object with the given inspect options. */
  dir(item?: unknown, options?: ConsoleDirOptions): void;
  /** Prints `Assertion failed` (and `data`) to stderr when `condition` is falsy; never throws. */
  assert(condition?: unknown, ...data: unknown[]): void;
}

declare var console: Console;

// ---------------------------------------------------------------------------------------------
// Timers and tasks

/**
 * Calls `callback(...args)` once, after `delay` milliseconds (default 0). In a fiber, the timer
 * counts as a child of that fiber until it fires or is cleared.
 */
declare function setTimeout<TArgs extends unknown[]>(
  callback: (...args: TArgs) => void,
  delay?: number,
  ...args: TArgs
): number;
/** As browsers type it: a callback whose parameters the arguments need not fill, such as a
 *  promise's `resolve`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare function setTimeout(callback: (...args: any[]) => void, delay?: number, ...args: any[]): number;
/** Calls `callback(...args)` every `delay` milliseconds until cleared. */
declare function setInterval<TArgs extends unknown[]>(
  callback: (...args: TArgs) => void,
  delay?: number,
  ...args: TArgs
): number;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare function setInterval(callback: (...args: any[]) => void, delay?: number, ...args: any[]): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
/** Runs `callback` after the current task, before any timer. */
declare function queueMicrotask(callback: () => void): void;
/** Reports an error the way an uncaught one is reported, without throwing it. */
declare function reportError(error: unknown): void;

interface StructuredSerializeOptions {
  /** ArrayBuffers to detach once the copy is made. */
  transfer?: Iterable<unknown>;
}

/** A deep copy made with the structured clone algorithm (throws on functions, symbols, …). */
declare function structuredClone<T>(value: T, options?: StructuredSerializeOptions): T;

// ---------------------------------------------------------------------------------------------
// Base64

/** Decodes a base64 string into a "binary string" (one character per byte). */
declare function atob(data: string): string;
/** Encodes a "binary string" (characters up to U+00FF) as base64. */
declare function btoa(data: string): string;

// ---------------------------------------------------------------------------------------------
// Text encoding

interface TextEncoderEncodeIntoResult {
  read: number;
  written: number;
}

interface TextEncoder {
  readonly encoding: "utf-8";
  /** The UTF-8 bytes of `input`. */
  encode(input?: string): Uint8Array;
  /** Writes as much of `source` as fits into `destination`. */
  encodeInto(source: string, destination: Uint8Array): TextEncoderEncodeIntoResult;
  readonly [Symbol.toStringTag]: string;
}

declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

interface TextDecoderOptions {
  /** Throw a TypeError on malformed input instead of inserting U+FFFD. */
  fatal?: boolean;
  /** Keep a byte order mark at the start instead of dropping it. */
  ignoreBOM?: boolean;
}

interface TextDecodeOptions {
  /** More input follows: keep an incomplete sequence at the end for the next call. */
  stream?: boolean;
}

type BufferSource = ArrayBufferView | ArrayBuffer;
type AllowSharedBufferSource = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

interface TextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  /** Shared memory (a SharedArrayBuffer, or a view of one) is refused with a TypeError. */
  decode(input?: BufferSource, options?: TextDecodeOptions): string;
  readonly [Symbol.toStringTag]: string;
}

declare var TextDecoder: {
  prototype: TextDecoder;
  /** `label` is an encoding name from the WHATWG Encoding standard; default `"utf-8"`. */
  new (label?: string, options?: TextDecoderOptions): TextDecoder;
};

// ---------------------------------------------------------------------------------------------
// URL

interface URL {
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  readonly searchParams: URLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
  readonly [Symbol.toStringTag]: string;
}

declare var URL: {
  prototype: URL;
  /** Parses `url` (relative to `base`, if given); throws a TypeError when it is not valid. */
  new (url: string | URL, base?: string | URL): URL;
  /** Whether `new URL(url, base)` would succeed. */
  canParse(url: string | URL, base?: string | URL): boolean;
  /** `new URL(url, base)`, or `null` where that would throw. */
  parse(url: string | URL, base?: string | URL): URL | null;
};

type URLSearchParamsInit =
  | string
  | URLSearchParams
  | Record<string, string>
  | Iterable<readonly [string, string]>
  | readonly (readonly string[])[];

interface URLSearchParams {
  /** The number of name/value pairs. */
  readonly size: number;
  append(name: string, value: string): void;
  /** Removes every pair named `name` (with `value`: only those with that value). */
  delete(name: string, value?: string): void;
  /** The first value named `name`, or `null`. */
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  /** Replaces every pair named `name` with one pair. */
  set(name: string, value: string): void;
  /** Sorts the pairs by name, keeping the order of pairs with the same name. */
  sort(): void;
  forEach(callback: (value: string, name: string, parent: URLSearchParams) => void, thisArg?: unknown): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  /** The pairs as `application/x-www-form-urlencoded` (without a leading `?`). */
  toString(): string;
  readonly [Symbol.toStringTag]: string;
}

declare var URLSearchParams: {
  prototype: URLSearchParams;
  new (init?: URLSearchParamsInit): URLSearchParams;
};

// ---------------------------------------------------------------------------------------------
// performance

interface Performance {
  /** Milliseconds since `timeOrigin`, from a monotonic clock, with sub-millisecond precision. */
  now(): number;
  /** When the process started, in milliseconds since the Unix epoch. */
  readonly timeOrigin: number;
  /** `{ timeOrigin }`, for JSON.stringify. */
  toJSON(): { timeOrigin: number };
}

declare var performance: Performance;

// ---------------------------------------------------------------------------------------------
// crypto

type IntegerTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

interface Crypto {
  /** Fills `array` with cryptographically strong random values (at most 65536 bytes) and returns it. */
  getRandomValues<T extends IntegerTypedArray>(array: T): T;
  /** A random version 4 UUID, such as `"36b8f84d-df4e-4d49-b662-bcde71a8764f"`. */
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
}

declare var crypto: Crypto;

// ---------------------------------------------------------------------------------------------
// Events

interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

interface Event {
  readonly type: string;
  readonly target: EventTarget | null;
  readonly currentTarget: EventTarget | null;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly composed: boolean;
  readonly defaultPrevented: boolean;
  readonly eventPhase: number;
  readonly isTrusted: boolean;
  /** Milliseconds since `performance.timeOrigin` when the event was made. */
  readonly timeStamp: number;
  composedPath(): EventTarget[];
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation(): void;
  /** @deprecated The same as `target`. */
  readonly srcElement: EventTarget | null;
  /** @deprecated Whether propagation was stopped; setting it to `true` is `stopPropagation()`. */
  cancelBubble: boolean;
  /** @deprecated `false` once the default was prevented; setting it to `false` is `preventDefault()`. */
  returnValue: boolean;
  /** @deprecated Re-initialises an event not being dispatched, as the constructor would. */
  initEvent(type: string, bubbles?: boolean, cancelable?: boolean): void;
  readonly NONE: 0;
  readonly CAPTURING_PHASE: 1;
  readonly AT_TARGET: 2;
  readonly BUBBLING_PHASE: 3;
}

declare var Event: {
  prototype: Event;
  new (type: string, eventInitDict?: EventInit): Event;
  readonly NONE: 0;
  readonly CAPTURING_PHASE: 1;
  readonly AT_TARGET: 2;
  readonly BUBBLING_PHASE: 3;
};

interface CustomEventInit<T = unknown> extends EventInit {
  detail?: T;
}

interface CustomEvent<T = any> extends Event {
  readonly detail: T;
  /** @deprecated Re-initialises an event not being dispatched, with `detail`. */
  initCustomEvent(type: string, bubbles?: boolean, cancelable?: boolean, detail?: T | null): void;
}

declare var CustomEvent: {
  prototype: CustomEvent;
  new <T>(type: string, eventInitDict?: CustomEventInit<T>): CustomEvent<T>;
  readonly NONE: 0;
  readonly CAPTURING_PHASE: 1;
  readonly AT_TARGET: 2;
  readonly BUBBLING_PHASE: 3;
};

/** What a listener returns is ignored. */
interface EventListener {
  (event: Event): unknown;
}

interface EventListenerObject {
  handleEvent(event: Event): unknown;
}

type EventListenerOrEventListenerObject = EventListener | EventListenerObject;

interface EventListenerOptions {
  capture?: boolean;
}

interface AddEventListenerOptions extends EventListenerOptions {
  /** Remove the listener after its first call. */
  once?: boolean;
  passive?: boolean;
  /** Remove the listener when this signal aborts. */
  signal?: AbortSignal;
}

interface EventTarget {
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void;
  /** Calls the listeners; `false` if the event is cancelable and one called `preventDefault()`. */
  dispatchEvent(event: Event): boolean;
}

declare var EventTarget: {
  prototype: EventTarget;
  new (): EventTarget;
};

// ---------------------------------------------------------------------------------------------
// Abort

interface AbortSignal extends EventTarget {
  readonly aborted: boolean;
  /** Why it was aborted (an `AbortError` DOMException unless a reason was given). */
  readonly reason: any;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null;
  /** Throws `reason` if aborted. */
  throwIfAborted(): void;
}

declare var AbortSignal: {
  prototype: AbortSignal;
  /** A signal that is already aborted. */
  abort(reason?: unknown): AbortSignal;
  /** A signal that aborts with a `TimeoutError` DOMException after `milliseconds`. */
  timeout(milliseconds: number): AbortSignal;
  /** A signal that aborts when the first of `signals` does. */
  any(signals: Iterable<AbortSignal>): AbortSignal;
};

interface AbortController {
  readonly signal: AbortSignal;
  /** Aborts the signal (with `reason`, or an `AbortError` DOMException) and fires its `abort` event. */
  abort(reason?: unknown): void;
}

declare var AbortController: {
  prototype: AbortController;
  new (): AbortController;
};

interface DOMException extends Error {
  /** The legacy numeric code of the name (`ABORT_ERR` is 20), or 0. */
  readonly code: number;
  readonly message: string;
  /** `"AbortError"`, `"TimeoutError"`, `"DataCloneError"`, … */
  readonly name: string;
}

/** The legacy error codes of WebIDL's error names table, on the interface and its prototype. */
interface DOMExceptionCodes {
  readonly INDEX_SIZE_ERR: 1;
  readonly DOMSTRING_SIZE_ERR: 2;
  readonly HIERARCHY_REQUEST_ERR: 3;
  readonly WRONG_DOCUMENT_ERR: 4;
  readonly INVALID_CHARACTER_ERR: 5;
  readonly NO_DATA_ALLOWED_ERR: 6;
  readonly NO_MODIFICATION_ALLOWED_ERR: 7;
  readonly NOT_FOUND_ERR: 8;
  readonly NOT_SUPPORTED_ERR: 9;
  readonly INUSE_ATTRIBUTE_ERR: 10;
  readonly INVALID_STATE_ERR: 11;
  readonly SYNTAX_ERR: 12;
  readonly INVALID_MODIFICATION_ERR: 13;
  readonly NAMESPACE_ERR: 14;
  readonly INVALID_ACCESS_ERR: 15;
  readonly VALIDATION_ERR: 16;
  readonly TYPE_MISMATCH_ERR: 17;
  readonly SECURITY_ERR: 18;
  readonly NETWORK_ERR: 19;
  readonly ABORT_ERR: 20;
  readonly URL_MISMATCH_ERR: 21;
  readonly QUOTA_EXCEEDED_ERR: 22;
  readonly TIMEOUT_ERR: 23;
  readonly INVALID_NODE_TYPE_ERR: 24;
  readonly DATA_CLONE_ERR: 25;
}

interface DOMException extends DOMExceptionCodes {}

declare var DOMException: DOMExceptionCodes & {
  prototype: DOMException;
  new (message?: string, name?: string): DOMException;
};

// ---------------------------------------------------------------------------------------------
// process

type ProcessPlatform =
  | "aix"
  | "android"
  | "darwin"
  | "freebsd"
  | "haiku"
  | "linux"
  | "openbsd"
  | "sunos"
  | "win32"
  | "cygwin"
  | "netbsd";

interface Process {
  /** `[path of the uringy executable, path of the main module, ...arguments]`, as in Node. */
  readonly argv: string[];
  /** The environment, as it was when first read; assigned values are kept as strings, in this
   *  process only. */
  env: Record<string, string | undefined>;
  /** Ends the process at once with `code` (default: `exitCode`, else 0). */
  exit(code?: number): never;
  /** The status to exit with when the program ends by itself. */
  exitCode: number | undefined;
  readonly pid: number;
  /** Always `"linux"` under Uringy, which runs on io_uring. */
  readonly platform: ProcessPlatform;
  /** The current working directory. */
  cwd(): string;
  /** Changes the current working directory. */
  chdir(directory: string): void;
  /** Calls `callback(...args)` once the current code has finished, before timers. */
  nextTick<TArgs extends unknown[]>(callback: (...args: TArgs) => void, ...args: TArgs): void;
  readonly arch: "x64";
  /** The standard output, for Node code that writes to it directly. */
  readonly stdout: ProcessStream;
  /** The standard error, for Node code that writes to it directly. */
  readonly stderr: ProcessStream;
  /** Uringy's version, such as `"v0.1.0"`. */
  readonly version: string;
  /** Versions of Uringy and its components, by name. */
  readonly versions: { readonly [name: string]: string };
}

interface ProcessStream {
  readonly fd: 1 | 2;
  /** Whether the stream is a terminal. */
  readonly isTTY: boolean;
  /** Writes all of `data` before returning. */
  write(data: string | Uint8Array): boolean;
}

declare var process: Process;

// ---------------------------------------------------------------------------------------------
// import.meta

interface ImportMeta {
  /** The module's URL (`file:///…/main.ts`). */
  readonly url: string;
  /** The module's absolute file path. */
  readonly filename: string;
  /** The directory holding the module. */
  readonly dirname: string;
  /** Whether this module is the program's entry point. */
  readonly main: boolean;
}
