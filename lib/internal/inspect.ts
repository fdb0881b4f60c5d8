/**
 * Value formatter behind `console.log`, `util.inspect` and `util.format`.
 *
 * The output deliberately mirrors Node's `util.inspect` (quoting, line
 * breaking, array column grouping, `<ref *1>` markers, error layout, ...) so
 * that people coming from Node see the text they are used to. Everything here
 * is plain ES2023: no Node or DOM APIs, and only type annotations that can be
 * erased by type stripping.
 *
 * Things pure JavaScript cannot observe are handled as follows:
 * - Promise state: the runtime installs a native hook (setPromiseStateHook).
 * - Proxies: formatted through their traps, so they look like their target.
 * - Map/Set iterators: their contents can't be peeked without consuming them,
 *   so they print like any other iterator object (`Object [Map Iterator] {}`).
 * - Error stacks: quickjs-ng's `err.stack` holds only the "    at ..." frame
 *   lines, so the `Name: message` header V8 puts in front is rebuilt here.
 * - Weak collections can't be enumerated: `WeakMap { <items unknown> }`,
 *   also with showHidden.
 * - Class detection reads the function's source text, as Node does.
 *
 * Node options not supported: getters, showProxy, numericSeparator. In colors
 * mode, stack frames aren't dimmed the way Node dims its internal frames.
 */

export interface InspectOptions {
  /** How many nesting levels to expand; `null` or `Infinity` for all. Default 2. */
  depth?: number | null;
  /** Use ANSI colors (Node's default palette). Default false. */
  colors?: boolean;
  /**
   * A number n keeps up to n inner levels on one line when they fit within
   * breakLength; `false` puts every property on its own line; `true` is
   * Node's legacy compact mode. Default 3.
   */
  compact?: number | boolean;
  /** Line width at which output is split over several lines. Default 80. */
  breakLength?: number;
  /** Sort object keys / Map and Set entries; a function is used as comparator. */
  sorted?: boolean | ((a: string, b: string) => number);
  /** Also show non-enumerable properties (as `[key]: value`). Default false. */
  showHidden?: boolean;
  /** Honour `[Symbol.for('nodejs.util.inspect.custom')]` methods. Default true. */
  customInspect?: boolean;
  /** Max elements shown for arrays, typed arrays, Maps and Sets. Default 100. */
  maxArrayLength?: number | null;
  /** Max characters shown of a string. Default 10000. */
  maxStringLength?: number | null;
}

export interface PromiseDetails {
  state: "pending" | "fulfilled" | "rejected";
  value?: unknown;
}

/** Returns the state of a real promise, or undefined for anything else. */
export type PromiseStateHook = (p: Promise<unknown>) => PromiseDetails | undefined;

/** The symbol objects use to customise how they are inspected (same as Node's). */
export const customInspectSymbol: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;

let promiseStateHook: PromiseStateHook | undefined;

/**
 * Installs the native hook that reveals a promise's state. Without it,
 * promises print as `Promise { <unknown> }`.
 */
export function setPromiseStateHook(fn: PromiseStateHook | undefined): void {
  promiseStateHook = fn;
}

// ---------------------------------------------------------------------------
// Options and per-call state
// ---------------------------------------------------------------------------

type Style =
  | "special"
  | "number"
  | "bigint"
  | "boolean"
  | "undefined"
  | "null"
  | "string"
  | "symbol"
  | "date"
  | "regexp"
  | "name";

/** ANSI open/close codes of the colors Node uses. */
const ANSI: Record<string, [number, number]> = {
  bold: [1, 22],
  grey: [90, 39],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

/** Node's default style -> color mapping (`util.inspect.styles`). */
const STYLE_COLORS: Record<Style, string | undefined> = {
  special: "cyan",
  number: "yellow",
  bigint: "yellow",
  boolean: "yellow",
  undefined: "grey",
  null: "bold",
  string: "green",
  symbol: "green",
  date: "magenta",
  regexp: "red",
  name: undefined,
};

function stylizeWithColor(text: string, style: Style): string {
  const color = STYLE_COLORS[style];
  if (color === undefined) return text;
  const [open, close] = ANSI[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

function stylizePlain(text: string): string {
  return text;
}

interface Context {
  depth: number;
  colors: boolean;
  compact: number | boolean;
  breakLength: number;
  sorted: boolean | ((a: string, b: string) => number);
  showHidden: boolean;
  customInspect: boolean;
  maxArrayLength: number;
  maxStringLength: number;
  stylize: (text: string, style: Style) => string;
  /** Column at which the value being formatted starts. */
  indent: number;
  /** Objects currently being formatted (the path from the root), for cycles. */
  seen: object[];
  /** An error at the top without stack frames prints as `Name: message`, not `[Name: message]`
   *  (how the runtime reports an uncaught error); cleared once used. */
  bareError: boolean;
  /** Objects found to be part of a cycle -> their `<ref *N>` number. */
  refs: Map<object, number>;
  /**
   * Nesting level of the object most recently entered. Node uses it to decide
   * whether an object may be printed on a single line (see assemble()), so we
   * keep exactly the same bookkeeping.
   */
  lastEnteredLevel: number;
  /** The options as the caller passed them, handed on to custom inspectors. */
  userOptions: InspectOptions;
}

function limit(value: number | null | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === null) return Infinity;
  return Math.max(0, value);
}

function createContext(options: InspectOptions = {}): Context {
  const colors = options.colors === true;
  return {
    depth: options.depth === undefined ? 2 : options.depth === null ? Infinity : options.depth,
    colors,
    compact: options.compact === undefined ? 3 : options.compact,
    breakLength: options.breakLength === undefined ? 80 : options.breakLength,
    sorted: options.sorted ?? false,
    showHidden: options.showHidden === true,
    customInspect: options.customInspect !== false,
    maxArrayLength: limit(options.maxArrayLength, 100),
    maxStringLength: limit(options.maxStringLength, 10000),
    stylize: colors ? stylizeWithColor : stylizePlain,
    indent: 0,
    seen: [],
    bareError: false,
    refs: new Map(),
    lastEnteredLevel: 0,
    userOptions: options,
  };
}

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

/** Formats any value the way Node's `util.inspect` does. */
export function inspect(value: unknown, options?: InspectOptions): string {
  return formatValue(createContext(options), value, 0);
}
inspect.custom = customInspectSymbol;

/** An error (or any value) that reached the top, as the runtime prints it: like `inspect`,
 *  but an error without stack frames shows as `Name: message` (Node prints those so too). */
export function inspectUncaught(value: unknown): string {
  const ctx = createContext();
  ctx.bareError = value instanceof Error;
  return formatValue(ctx, value, 0);
}

/** Like Node's `util.format`: printf-style placeholders, then the rest inspected. */
export function format(...args: unknown[]): string {
  return formatWithOptions({}, ...args);
}

/** `format` with inspect options (e.g. `{ colors: true }` for a terminal). */
export function formatWithOptions(options: InspectOptions, ...args: unknown[]): string {
  const first = args[0];
  let out = "";
  let next = 0; // index of the next argument not yet printed
  let separator = "";

  if (typeof first === "string") {
    if (args.length === 1) return first;
    let copiedUpTo = 0; // first[0..copiedUpTo) is already in `out`
    let lastUsed = 0; // index of the last argument a placeholder consumed
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== "%") continue;
      const spec = first[++i];
      if (spec === "%") {
        // "%%" always collapses to "%", whether or not arguments remain.
        out += first.slice(copiedUpTo, i);
        copiedUpTo = i + 1;
        continue;
      }
      if (lastUsed + 1 === args.length) continue; // no argument left: keep as-is
      const text = substitute(spec, args[lastUsed + 1], options);
      if (text === undefined) continue; // unknown placeholder: keep as-is
      lastUsed++;
      out += first.slice(copiedUpTo, i - 1) + text;
      copiedUpTo = i + 1;
    }
    if (copiedUpTo !== 0) {
      // The format string was used as a template; print what is left of it and
      // continue with the arguments no placeholder consumed.
      out += first.slice(copiedUpTo);
      next = lastUsed + 1;
      separator = " ";
    }
  }

  for (; next < args.length; next++) {
    const value = args[next];
    out += separator + (typeof value === "string" ? value : inspect(value, options));
    separator = " ";
  }
  return out;
}

/** The text for one printf placeholder, or undefined if `spec` isn't one. */
function substitute(spec: string, arg: unknown, options: InspectOptions): string | undefined {
  switch (spec) {
    case "s":
      if (typeof arg === "number") return formatNumber(arg);
      if (typeof arg === "bigint") return `${arg}n`;
      if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) return String(arg);
      return inspect(arg, { ...options, depth: 0, colors: false, compact: 3 });
    case "j":
      return stringifyJson(arg);
    case "d":
      if (typeof arg === "bigint") return `${arg}n`;
      if (typeof arg === "symbol") return "NaN";
      return formatNumber(Number(arg));
    case "i":
      if (typeof arg === "bigint") return `${arg}n`;
      if (typeof arg === "symbol") return "NaN";
      return formatNumber(parseInt(arg as string));
    case "f":
      if (typeof arg === "symbol") return "NaN";
      return formatNumber(parseFloat(arg as string));
    case "O":
      return inspect(arg, options);
    case "o":
      return inspect(arg, { ...options, showHidden: true, depth: 4 });
    case "c":
      return ""; // CSS has no meaning outside a browser console; drop it.
    default:
      return undefined;
  }
}

/** `%j`: JSON, but a cycle prints `[Circular]` instead of throwing. */
function stringifyJson(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch (err) {
    if (isCircularJsonError(err)) return "[Circular]";
    throw err;
  }
}

let circularJsonMessage: string | undefined;

function isCircularJsonError(err: unknown): boolean {
  if (!(err instanceof TypeError)) return false;
  if (circularJsonMessage === undefined) {
    // Learn the engine's wording by provoking the error once.
    const probe: Record<string, unknown> = {};
    probe.self = probe;
    try {
      JSON.stringify(probe);
    } catch (probeErr) {
      circularJsonMessage = firstLine(String((probeErr as Error).message));
    }
  }
  return firstLine(String(err.message)) === circularJsonMessage;
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end === -1 ? text : text.slice(0, end);
}

/** Names of the global built-in constructors, captured at startup. */
const builtInConstructorNames = new Set(
  Object.getOwnPropertyNames(globalThis).filter((name) => /^[A-Z][a-zA-Z0-9]+$/.test(name)),
);

/**
 * `%s` calls String() on objects whose class defines its own toString, and
 * inspects everything else (whose toString would just say "[object Object]").
 */
function hasBuiltInToString(value: object): boolean {
  const obj = value as { toString?: unknown };
  if (typeof obj.toString !== "function") return true;
  if (Object.hasOwn(obj, "toString")) return false;
  let holder: object | null = obj;
  do {
    holder = Object.getPrototypeOf(holder);
  } while (holder !== null && !Object.hasOwn(holder, "toString"));
  if (holder === null) return true;
  const ctor = Object.getOwnPropertyDescriptor(holder, "constructor")?.value;
  return typeof ctor === "function" && builtInConstructorNames.has(ctor.name);
}

// ---------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------

/**
 * `level` is how many objects enclose `value` (0 for the root). The typed
 * array flag is set when formatting the `.buffer` of a typed array in
 * showHidden mode, where Node omits the buffer's byte dump.
 */
function formatValue(ctx: Context, value: unknown, level: number, bufferOfTypedArray = false): string {
  if (value === null) return ctx.stylize("null", "null");
  if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx, value);

  if (ctx.customInspect) {
    const custom = callCustomInspect(ctx, value, level);
    if (custom !== undefined) return custom;
  }

  if (ctx.seen.includes(value)) {
    let id = ctx.refs.get(value);
    if (id === undefined) {
      id = ctx.refs.size + 1;
      ctx.refs.set(value, id);
    }
    return ctx.stylize(`[Circular *${id}]`, "special");
  }

  return formatObject(ctx, value, level, bufferOfTypedArray);
}

/** Runs a `[nodejs.util.inspect.custom]` method; undefined means "format normally". */
function callCustomInspect(ctx: Context, value: object, level: number): string | undefined {
  const method = (value as Record<symbol, unknown>)[customInspectSymbol];
  if (typeof method !== "function" || method === inspect) return undefined;
  // Don't run an instance hook on the prototype that defines it (e.g. when
  // inspecting `Foo.prototype`).
  const ctor = (value as { constructor?: { prototype?: unknown } }).constructor;
  if (ctor !== undefined && ctor !== null && ctor.prototype === value) return undefined;

  const options = {
    showHidden: ctx.showHidden,
    depth: ctx.depth,
    colors: ctx.colors,
    customInspect: ctx.customInspect,
    showProxy: false,
    maxArrayLength: ctx.maxArrayLength,
    maxStringLength: ctx.maxStringLength,
    breakLength: ctx.breakLength,
    compact: ctx.compact,
    sorted: ctx.sorted,
    getters: false,
    numericSeparator: false,
    ...ctx.userOptions,
    stylize: ctx.stylize,
  };
  const result: unknown = method.call(value, ctx.depth - level, options, inspect);
  if (result === value) return undefined;
  if (typeof result !== "string") return formatValue(ctx, result, level);
  // The hook doesn't know where it is printed; indent its continuation lines.
  return result.replaceAll("\n", `\n${" ".repeat(ctx.indent)}`);
}

/** How an object is printed: `base open entries..., key: value... close`. */
interface Layout {
  /** Description printed before the braces (function name, date, error, ...). */
  base: string;
  open: string;
  close: string;
  /** Own properties to print after the entries. */
  keys: PropertyKey[];
  /** Array-like: entries are bare values and may be grouped into columns. */
  arrayLike: boolean;
  /** Built-in type name shown for null-prototype objects that are too deep. */
  className: string;
  /** The body entries that come before the properties (elements, pairs, ...). */
  entries: (level: number) => string[];
}

const noEntries = (): string[] => [];

function formatObject(ctx: Context, value: object, level: number, bufferOfTypedArray: boolean): string {
  const ctor = constructorName(ctx, value, level);
  const tag = displayedTag(ctx, value);
  const layout = describeObject(ctx, value, ctor, tag, level, bufferOfTypedArray);
  if (typeof layout === "string") return layout;

  if (level > ctx.depth) {
    // Too deep: just name the thing, e.g. `[Object]`, `[Array]`, `[Foo]`.
    const name = prefixFor(ctor, tag, layout.className).slice(0, -1);
    return ctx.stylize(ctor === null ? name : `[${name}]`, "special");
  }

  const innerLevel = level + 1;
  ctx.seen.push(value);
  ctx.lastEnteredLevel = innerLevel;
  let output: string[];
  try {
    output = layout.entries(innerLevel);
    const kind = layout.arrayLike ? "arrayExtra" : "object";
    for (const key of layout.keys) output.push(formatProperty(ctx, value, key, innerLevel, kind));
  } finally {
    ctx.seen.pop();
  }

  let { base, open } = layout;
  const ref = ctx.refs.get(value);
  if (ref !== undefined) {
    const marker = ctx.stylize(`<ref *${ref}>`, "special");
    if (ctx.compact === true) open = `${marker} ${open}`;
    else base = base === "" ? marker : `${marker} ${base}`;
  }

  if (ctx.sorted !== false) output = sortOutput(ctx, output, layout);
  return assemble(ctx, output, base, open, layout.close, layout.arrayLike, innerLevel, value);
}

/** Sorts object properties (or only the extra properties of array-likes). */
function sortOutput(ctx: Context, output: string[], layout: Layout): string[] {
  const compare = typeof ctx.sorted === "function" ? ctx.sorted : undefined;
  if (!layout.arrayLike) return output.sort(compare);
  if (layout.keys.length < 2) return output;
  const split = output.length - layout.keys.length;
  return [...output.slice(0, split), ...output.slice(split).sort(compare)];
}

// ---------------------------------------------------------------------------
// Type detection
// ---------------------------------------------------------------------------

type Getter = (this: unknown) => unknown;

function getterOf(proto: object, key: PropertyKey): Getter {
  return Object.getOwnPropertyDescriptor(proto, key)!.get as Getter;
}

const typedArrayPrototype: object = Object.getPrototypeOf(Uint8Array.prototype);
/** Returns the element type name for typed arrays and undefined for anything else. */
const typedArrayNameOf = getterOf(typedArrayPrototype, Symbol.toStringTag);
const typedArrayLengthOf = getterOf(typedArrayPrototype, "length");
const mapSizeOf = getterOf(Map.prototype, "size");
const setSizeOf = getterOf(Set.prototype, "size");
const regExpGlobalOf = getterOf(RegExp.prototype, "global");
const arrayBufferLengthOf = getterOf(ArrayBuffer.prototype, "byteLength");
const sharedArrayBufferLengthOf: Getter =
  typeof SharedArrayBuffer === "function" ? getterOf(SharedArrayBuffer.prototype, "byteLength") : fail;
const dataViewBufferOf = getterOf(DataView.prototype, "buffer");

const AsyncFunctionPrototype: object = Object.getPrototypeOf(async function () {});
const GeneratorFunctionPrototype: object = Object.getPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype: object = Object.getPrototypeOf(async function* () {});

type Brand = "Set" | "Map" | "RegExp" | "Date" | "ArrayBuffer" | "SharedArrayBuffer" | "DataView" | "WeakSet" | "WeakMap";

/**
 * For each built-in: its constructor, and a call that throws unless the
 * receiver really is one (has the internal slots), whatever its prototype.
 */
const BRANDS: Record<Brand, { type: Function | undefined; check: (value: object) => unknown }> = {
  Set: { type: Set, check: (v) => setSizeOf.call(v) },
  Map: { type: Map, check: (v) => mapSizeOf.call(v) },
  // The getter returns undefined for RegExp.prototype, which isn't a regexp.
  RegExp: { type: RegExp, check: (v) => regExpGlobalOf.call(v) ?? fail() },
  Date: { type: Date, check: (v) => Date.prototype.getTime.call(v) },
  ArrayBuffer: { type: ArrayBuffer, check: (v) => arrayBufferLengthOf.call(v) },
  SharedArrayBuffer: {
    type: typeof SharedArrayBuffer === "function" ? SharedArrayBuffer : undefined,
    check: (v) => sharedArrayBufferLengthOf.call(v),
  },
  DataView: { type: DataView, check: (v) => dataViewBufferOf.call(v) },
  WeakSet: { type: WeakSet, check: (v) => WeakSet.prototype.has.call(v, {}) },
  WeakMap: { type: WeakMap, check: (v) => WeakMap.prototype.has.call(v, {}) },
};

function fail(): never {
  throw new TypeError("not this type");
}

/** What describeObject learns once per object and uses to pick its type. */
interface TypeHints {
  /** The "X" of Object.prototype.toString's "[object X]". */
  builtinTag: string;
  /** A null prototype hides both the tag and instanceof. */
  nullProto: boolean;
}

/**
 * Whether `value` is a genuine `brand` object. Brand checks throw on a miss,
 * and throwing is slow, so one only runs when a cheap hint (toString tag,
 * instanceof, null prototype) makes a match plausible.
 */
function isBuiltin(value: object, brand: Brand, hints: TypeHints): boolean {
  const { type, check } = BRANDS[brand];
  if (hints.builtinTag !== brand && !hints.nullProto && !(type !== undefined && value instanceof type)) return false;
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

function isInstance(value: object, ctor: unknown): boolean {
  try {
    return value instanceof (ctor as new () => unknown);
  } catch {
    return false;
  }
}

/** The "X" of `Object.prototype.toString`'s "[object X]". */
function builtinTagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function isErrorObject(value: object, builtinTag: string): boolean {
  const isError = (Error as unknown as { isError?: (v: unknown) => boolean }).isError;
  if (typeof isError === "function" && isError(value)) return true;
  return builtinTag === "Error" || value instanceof Error;
}

const BOXED_TYPES: [string, (this: unknown) => unknown][] = [
  ["Number", Number.prototype.valueOf],
  ["String", String.prototype.valueOf],
  ["Boolean", Boolean.prototype.valueOf],
  ["BigInt", BigInt.prototype.valueOf],
  ["Symbol", Symbol.prototype.valueOf],
];

/** Unwraps a boxed primitive (`new Number(1)`), or returns undefined. */
function unboxPrimitive(value: object, hints: TypeHints): { type: string; value: unknown } | undefined {
  for (const [type, valueOf] of BOXED_TYPES) {
    if (!hints.nullProto && hints.builtinTag !== type) continue;
    try {
      // valueOf throws unless `value` really wraps this primitive type.
      return { type, value: valueOf.call(value) };
    } catch {
      // not this kind of box
    }
  }
  return undefined;
}

/**
 * Name of the nearest constructor on the prototype chain (`Foo`, `Map`,
 * ...), or null for objects with a null prototype.
 */
function constructorName(ctx: Context, value: object, level: number): string | null {
  let current: object | null = value;
  let firstProto: object | null | undefined;
  while (current !== null) {
    const ctor = Object.getOwnPropertyDescriptor(current, "constructor")?.value;
    if (typeof ctor === "function" && ctor.name !== "" && isInstance(value, ctor)) return String(ctor.name);
    current = Object.getPrototypeOf(current);
    if (firstProto === undefined) firstProto = current;
  }
  if (firstProto === null || firstProto === undefined) return null;

  // A chain without any named constructor below a non-null prototype, e.g.
  // Object.create(Object.create(null)): describe the prototype as Node does.
  const own = typeof value === "function" ? "Function" : engineClassName(value);
  if (level > ctx.depth) return `${own} <Complex prototype>`;
  const protoName = constructorName(ctx, firstProto, level + 1);
  if (protoName !== null) return `${own} <${protoName}>`;
  const protoText = inspect(firstProto, { ...ctx.userOptions, customInspect: false, depth: -1 });
  return `${own} <${protoText}>`;
}

/**
 * The class name V8 reports for objects without a usable constructor, which
 * Node shows for them (`[X: null prototype] {...}`): an own enumerable
 * string Symbol.toStringTag if there is one, else "Object".
 */
function engineClassName(value: object): string {
  const desc = Object.getOwnPropertyDescriptor(value, Symbol.toStringTag);
  if (desc !== undefined && desc.enumerable && typeof desc.value === "string") return desc.value;
  return "Object";
}

/** The Symbol.toStringTag worth showing (`Object [Tag] {}`), or "". */
function displayedTag(ctx: Context, value: object): string {
  const tag = (value as Record<symbol, unknown>)[Symbol.toStringTag];
  if (typeof tag !== "string" || tag === "") return "";
  // An own (enumerable) tag is printed among the properties already.
  const isListed = ctx.showHidden
    ? Object.hasOwn(value, Symbol.toStringTag)
    : Object.prototype.propertyIsEnumerable.call(value, Symbol.toStringTag);
  return isListed ? "" : tag;
}

/**
 * The text in front of the braces: `Foo `, `Map(2) `, `Foo [bar] `,
 * `[Object: null prototype] `. The trailing space is part of it.
 */
function prefixFor(ctor: string | null, tag: string, fallback: string, size = ""): string {
  if (ctor === null) {
    const tagText = tag !== "" && tag !== fallback ? ` [${tag}]` : "";
    return `[${fallback}${size}: null prototype]${tagText} `;
  }
  const tagText = tag !== "" && tag !== ctor ? ` [${tag}]` : "";
  return `${ctor}${size}${tagText} `;
}

// ---------------------------------------------------------------------------
// Per-type layouts
// ---------------------------------------------------------------------------

/** What is known about an object before picking its layout. */
interface Subject {
  value: object;
  /** Constructor name, or null for a null prototype. */
  ctor: string | null;
  /** Symbol.toStringTag worth showing, or "". */
  tag: string;
  hints: TypeHints;
}

/**
 * Picks how to print an object. Returns the finished text for objects that
 * print without a body (`[Function: f]`, `{}`, `Map(0) {}`), else a Layout.
 * The order of checks follows Node, which matters for odd objects (e.g. an
 * error whose prototype was swapped for Object.prototype prints as `{}`).
 */
function describeObject(
  ctx: Context,
  value: object,
  ctor: string | null,
  tag: string,
  level: number,
  bufferOfTypedArray: boolean,
): string | Layout {
  const hints: TypeHints = { builtinTag: builtinTagOf(value), nullProto: ctor === null };
  const subject: Subject = { value, ctor, tag, hints };

  // Collections first: their bodies are their elements.
  if (Array.isArray(value)) return describeArray(ctx, value, ctor, tag);
  if (isBuiltin(value, "Set", hints)) return describeSet(ctx, value as Set<unknown>, ctor, tag);
  if (isBuiltin(value, "Map", hints)) return describeMap(ctx, value as Map<unknown, unknown>, ctor, tag);
  const typedName = typedArrayNameOf.call(value);
  if (typeof typedName === "string") return describeTypedArray(ctx, value as Uint8Array, ctor, tag, typedName);

  const keys = ownKeys(value, ctx.showHidden);
  if (ctor === "Object") return describePlainObject(subject, keys);
  if (typeof value === "function") {
    const base = functionBase(value, ctor, tag);
    if (keys.length === 0) return ctx.stylize(base, "special");
    return objectLayout(base, "{", keys, "Function");
  }
  if (isBuiltin(value, "RegExp", hints)) return describeRegExp(ctx, subject, keys, level);
  if (isBuiltin(value, "Date", hints)) return describeDate(ctx, subject, keys);
  if (isErrorObject(value, hints.builtinTag)) {
    const base = errorBase(ctx, value as Error, ctor, tag, keys);
    if (keys.length === 0) return base;
    return objectLayout(base, "{", keys, "Error");
  }
  for (const brand of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
    if (isBuiltin(value, brand, hints)) return describeArrayBuffer(ctx, subject, brand, keys, bufferOfTypedArray);
  }
  if (isBuiltin(value, "DataView", hints)) {
    const open = `${prefixFor(ctor, tag, "DataView")}{`;
    return objectLayout("", open, ["byteLength", "byteOffset", "buffer", ...keys], "DataView");
  }
  const promise = promiseDetails(value, hints);
  if (promise !== undefined) {
    const layout = objectLayout("", `${prefixFor(ctor, tag, "Promise")}{`, keys, "Promise");
    layout.entries = (inner) => [formatPromiseState(ctx, promise, inner)];
    return layout;
  }
  for (const brand of ["WeakSet", "WeakMap"] as const) {
    if (isBuiltin(value, brand, hints)) {
      // Weak collections can't be enumerated.
      const layout = objectLayout("", `${prefixFor(ctor, tag, brand)}{`, keys, brand);
      layout.entries = () => [ctx.stylize("<items unknown>", "special")];
      return layout;
    }
  }
  if (hints.nullProto && hints.builtinTag === "Module") {
    // Module namespace objects: `[Module: null prototype] { x: 1 }`.
    return objectLayout("", `${prefixFor(ctor, tag, "Module")}{`, keys, "Module");
  }
  const boxed = unboxPrimitive(value, hints);
  if (boxed !== undefined) {
    const base = boxedBase(ctx, boxed, ctor, tag, keys);
    if (keys.length === 0) return base;
    return objectLayout(base, "{", keys, boxed.type);
  }

  // Class instances, null-prototype objects, iterators, ...
  const className = engineClassName(value);
  const prefix = prefixFor(ctor, tag, className);
  if (keys.length === 0) return `${prefix}{}`;
  return objectLayout("", `${prefix}{`, keys, className);
}

/** `{ a: 1 }`, `Object [Tag] { a: 1 }`, `[Arguments] { '0': 1 }` */
function describePlainObject({ ctor, tag, hints }: Subject, keys: PropertyKey[]): string | Layout {
  let open = "{";
  if (hints.builtinTag === "Arguments") open = "[Arguments] {";
  else if (tag !== "") open = `${prefixFor(ctor, tag, "Object")}{`;
  if (keys.length === 0) return `${open}}`;
  return objectLayout("", open, keys);
}

function describeRegExp(
  ctx: Context,
  { value, ctor, tag, hints }: Subject,
  keys: PropertyKey[],
  level: number,
): string | Layout {
  // Without a prototype the generic toString can't find source and flags;
  // a copy made from the internal slots can.
  let base = RegExp.prototype.toString.call(hints.nullProto ? new RegExp(value as RegExp) : value);
  const prefix = prefixFor(ctor, tag, "RegExp");
  if (prefix !== "RegExp ") base = `${prefix}${base}`;
  if (keys.length === 0 || level > ctx.depth) return ctx.stylize(base, "regexp");
  return objectLayout(base, "{", keys, "RegExp");
}

function describeDate(ctx: Context, { value, ctor, tag }: Subject, keys: PropertyKey[]): string | Layout {
  const invalid = Number.isNaN(Date.prototype.getTime.call(value));
  let base = invalid ? Date.prototype.toString.call(value) : Date.prototype.toISOString.call(value);
  const prefix = prefixFor(ctor, tag, "Date");
  if (prefix !== "Date ") base = `${prefix}${base}`;
  if (keys.length === 0) return ctx.stylize(base, "date");
  return objectLayout(base, "{", keys, "Date");
}

/** `ArrayBuffer { [Uint8Contents]: <01 02>, byteLength: 2 }` */
function describeArrayBuffer(
  ctx: Context,
  { value, ctor, tag }: Subject,
  kind: "ArrayBuffer" | "SharedArrayBuffer",
  keys: PropertyKey[],
  bufferOfTypedArray: boolean,
): string | Layout {
  const prefix = prefixFor(ctor, tag, kind);
  if (bufferOfTypedArray && keys.length === 0) {
    const length = (value as ArrayBuffer).byteLength;
    return `${prefix}{ byteLength: ${ctx.stylize(formatNumber(length), "number")} }`;
  }
  // byteLength is an inherited getter; formatProperty falls back to reading it.
  const layout = objectLayout("", `${prefix}{`, ["byteLength", ...keys], kind);
  if (!bufferOfTypedArray) layout.entries = () => [arrayBufferContents(ctx, value as ArrayBuffer)];
  return layout;
}

function objectLayout(base: string, open: string, keys: PropertyKey[], className = "Object"): Layout {
  return { base, open, close: "}", keys, arrayLike: false, className, entries: noEntries };
}

/** Own keys to print: enumerable string keys then enumerable symbols (or all, in showHidden mode). */
function ownKeys(value: object, showHidden: boolean): PropertyKey[] {
  const symbols = Object.getOwnPropertySymbols(value);
  if (showHidden) return [...Object.getOwnPropertyNames(value), ...symbols];
  const keys: PropertyKey[] = Object.keys(value);
  for (const symbol of symbols) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) keys.push(symbol);
  }
  return keys;
}

function isArrayIndex(key: PropertyKey): boolean {
  if (typeof key !== "string" || !/^(?:0|[1-9][0-9]*)$/.test(key)) return false;
  return Number(key) < 2 ** 32 - 1;
}

/** Own keys of an array-like that are not element indices. */
function nonIndexKeys(value: object, showHidden: boolean): PropertyKey[] {
  const names = showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
  const keys: PropertyKey[] = names.slice(indexKeyCount(names));
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (showHidden || Object.prototype.propertyIsEnumerable.call(value, symbol)) keys.push(symbol);
  }
  return keys;
}

/**
 * How many of `names` are element indices. Engines list index keys first,
 * in ascending order, so they form a prefix; scanning from the end only
 * looks at the (few) other keys, which keeps huge arrays cheap.
 */
function indexKeyCount(names: string[]): number {
  let count = names.length;
  while (count > 0 && !isArrayIndex(names[count - 1])) count--;
  return count;
}

function describeArray(ctx: Context, value: unknown[], ctor: string | null, tag: string): string | Layout {
  const prefix = ctor !== "Array" || tag !== "" ? prefixFor(ctor, tag, "Array", `(${value.length})`) : "";
  const keys = nonIndexKeys(value, ctx.showHidden);
  const open = `${prefix}[`;
  if (value.length === 0 && keys.length === 0) return `${open}]`;
  const entries = (level: number) => arrayEntries(ctx, value, level);
  return { base: "", open, close: "]", keys, arrayLike: true, className: "Array", entries };
}

function moreItems(count: number): string {
  return `... ${count} more item${count > 1 ? "s" : ""}`;
}

/**
 * Array elements, at most maxArrayLength entries. A run of holes counts as
 * one entry (`<3 empty items>`).
 */
function arrayEntries(ctx: Context, array: unknown[], level: number): string[] {
  const length = array.length;
  const maxEntries = Math.min(ctx.maxArrayLength, length);
  const output: string[] = [];
  let presentIndices: number[] | undefined; // computed lazily, at the first hole
  let cursor = 0;
  let index = 0;
  while (index < length && output.length < maxEntries) {
    if (Object.hasOwn(array, index)) {
      output.push(formatProperty(ctx, array, String(index), level, "arrayItem"));
      index++;
      continue;
    }
    // Skip to the next element without walking every hole: huge sparse arrays
    // (`new Array(1e9)`) must stay cheap.
    if (presentIndices === undefined) {
      const names = Object.keys(array);
      presentIndices = names.slice(0, indexKeyCount(names)).map(Number);
    }
    while (cursor < presentIndices.length && presentIndices[cursor] < index) cursor++;
    const nextPresent = cursor < presentIndices.length ? presentIndices[cursor] : length;
    const holes = nextPresent - index;
    output.push(ctx.stylize(`<${holes} empty item${holes > 1 ? "s" : ""}>`, "undefined"));
    index = nextPresent;
  }
  if (index < length) output.push(moreItems(length - index));
  return output;
}

function describeTypedArray(
  ctx: Context,
  value: Uint8Array,
  ctor: string | null,
  tag: string,
  typeName: string,
): string | Layout {
  const length = typedArrayLengthOf.call(value) as number;
  const keys = nonIndexKeys(value, ctx.showHidden);
  const prefix = prefixFor(ctor, tag, ctor === null ? typeName : "", `(${length})`);
  const open = `${prefix}[`;
  if (length === 0 && keys.length === 0 && !ctx.showHidden) return `${open}]`;
  const entries = (level: number): string[] => {
    const shown = Math.min(ctx.maxArrayLength, length);
    const output: string[] = [];
    for (let i = 0; i < shown; i++) {
      const element = value[i] as number | bigint;
      output.push(typeof element === "bigint" ? ctx.stylize(`${element}n`, "bigint") : ctx.stylize(formatNumber(element), "number"));
    }
    if (length > shown) output.push(moreItems(length - shown));
    if (ctx.showHidden) {
      ctx.indent += 2;
      for (const key of ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"] as const) {
        output.push(`[${key}]: ${formatValue(ctx, value[key], level, true)}`);
      }
      ctx.indent -= 2;
    }
    return output;
  };
  return { base: "", open, close: "]", keys, arrayLike: true, className: typeName, entries };
}

function describeSet(ctx: Context, set: Set<unknown>, ctor: string | null, tag: string): string | Layout {
  const size = setSizeOf.call(set) as number;
  const keys = ownKeys(set, ctx.showHidden);
  const prefix = prefixFor(ctor, tag, "Set", `(${size})`);
  if (size === 0 && keys.length === 0) return `${prefix}{}`;
  const layout = objectLayout("", `${prefix}{`, keys, "Set");
  layout.entries = (level) => {
    const shown = Math.min(ctx.maxArrayLength, size);
    const output: string[] = [];
    ctx.indent += 2;
    for (const item of Set.prototype.values.call(set)) {
      if (output.length >= shown) break;
      output.push(formatValue(ctx, item, level));
    }
    ctx.indent -= 2;
    if (size > shown) output.push(moreItems(size - shown));
    return output;
  };
  return layout;
}

function describeMap(ctx: Context, map: Map<unknown, unknown>, ctor: string | null, tag: string): string | Layout {
  const size = mapSizeOf.call(map) as number;
  const keys = ownKeys(map, ctx.showHidden);
  const prefix = prefixFor(ctor, tag, "Map", `(${size})`);
  if (size === 0 && keys.length === 0) return `${prefix}{}`;
  const layout = objectLayout("", `${prefix}{`, keys, "Map");
  layout.entries = (level) => {
    const shown = Math.min(ctx.maxArrayLength, size);
    const output: string[] = [];
    ctx.indent += 2;
    for (const [key, item] of Map.prototype.entries.call(map)) {
      if (output.length >= shown) break;
      output.push(`${formatValue(ctx, key, level)} => ${formatValue(ctx, item, level)}`);
    }
    ctx.indent -= 2;
    if (size > shown) output.push(moreItems(size - shown));
    return output;
  };
  return layout;
}

/** `[Uint8Contents]: <01 02 ff>` */
function arrayBufferContents(ctx: Context, buffer: ArrayBuffer): string {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(buffer);
  } catch {
    return ctx.stylize("(detached)", "special");
  }
  const shown = Math.min(ctx.maxArrayLength, bytes.length);
  const hex: string[] = [];
  for (let i = 0; i < shown; i++) hex.push(bytes[i].toString(16).padStart(2, "0"));
  let text = hex.join(" ");
  const remaining = bytes.length - shown;
  if (remaining > 0) text += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
  return `${ctx.stylize("[Uint8Contents]", "special")}: <${text}>`;
}

/**
 * State of a promise-looking object (by tag or prototype). The runtime's
 * hook has the final word: it returns undefined (or throws) for objects
 * that aren't real promises. Without a hook the state is `<unknown>`.
 */
function promiseDetails(value: object, hints: TypeHints): PromiseDetails | "unknown" | undefined {
  if (hints.builtinTag !== "Promise" && !(value instanceof Promise)) return undefined;
  if (promiseStateHook === undefined) return "unknown";
  try {
    return promiseStateHook(value as Promise<unknown>);
  } catch {
    return undefined;
  }
}

function formatPromiseState(ctx: Context, details: PromiseDetails | "unknown", level: number): string {
  if (details === "unknown") return ctx.stylize("<unknown>", "special");
  if (details.state === "pending") return ctx.stylize("<pending>", "special");
  ctx.indent += 2;
  const text = formatValue(ctx, details.value, level);
  ctx.indent -= 2;
  return details.state === "rejected" ? `${ctx.stylize("<rejected>", "special")} ${text}` : text;
}

/** `[Function: foo]`, `[AsyncFunction (anonymous)]`, `[class Bar extends Foo]`, ... */
function functionBase(fn: Function, ctor: string | null, tag: string): string {
  if (isClass(fn)) return classBase(fn, ctor, tag);
  let type = "Function";
  if (GeneratorFunctionPrototype.isPrototypeOf(fn) || AsyncGeneratorFunctionPrototype.isPrototypeOf(fn)) {
    type = `Generator${type}`;
  }
  if (AsyncFunctionPrototype.isPrototypeOf(fn) || AsyncGeneratorFunctionPrototype.isPrototypeOf(fn)) {
    type = `Async${type}`;
  }
  let base = `[${type}`;
  if (ctor === null) base += " (null prototype)";
  base += fn.name === "" ? " (anonymous)" : `: ${fn.name}`;
  base += "]";
  if (ctor !== type && ctor !== null) base += ` ${ctor}`;
  if (tag !== "" && ctor !== tag) base += ` [${tag}]`;
  return base;
}

/** Classes are only distinguishable from functions by their source text. */
function isClass(fn: Function): boolean {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return false;
  }
  // "class Foo {", "class{", "class extends Base {" -- but not a method
  // called class (`class() {}`) or classify.
  return /^class(?:\s*\{|\s+[^(\s])/.test(source);
}

function classBase(fn: Function, ctor: string | null, tag: string): string {
  const name = (Object.hasOwn(fn, "name") && fn.name) || "(anonymous)";
  let base = `class ${name}`;
  if (ctor !== "Function" && ctor !== null) base += ` [${ctor}]`;
  if (tag !== "" && ctor !== tag) base += ` [${tag}]`;
  if (ctor === null) {
    base += " extends [null prototype]";
  } else {
    const superName = (Object.getPrototypeOf(fn) as Function | null)?.name;
    if (superName) base += ` extends ${superName}`;
  }
  return `[${base}]`;
}

/** `[Number: 3]`, `[String: 'x']`, `[Symbol: Symbol(a)]`, ... */
function boxedBase(
  ctx: Context,
  boxed: { type: string; value: unknown },
  ctor: string | null,
  tag: string,
  keys: PropertyKey[],
): string {
  if (boxed.type === "String") {
    // The character indices are just noise next to the quoted string.
    const length = (boxed.value as string).length;
    keys.splice(0, keys.length, ...keys.filter((key) => !(isArrayIndex(key) && Number(key) < length)));
  }
  let base = `[${boxed.type}`;
  if (boxed.type !== ctor) base += ctor === null ? " (null prototype)" : ` (${ctor})`;
  base += `: ${formatPrimitive({ ...ctx, stylize: stylizePlain }, boxed.value)}]`;
  if (tag !== "" && tag !== ctor) base += ` [${tag}]`;
  if (keys.length !== 0 || !ctx.colors) return base;
  return ctx.stylize(base, boxed.type.toLowerCase() as Style);
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** What Error.prototype.toString would give, without trusting the object. */
function errorHeader(err: Error): string {
  let name: unknown;
  let message: unknown;
  try {
    name = err.name;
    message = err.message;
  } catch {
    // fall through with whatever we got
  }
  const nameText = name === undefined ? "Error" : String(name);
  const messageText = message === undefined ? "" : String(message);
  if (nameText === "") return messageText;
  if (messageText === "") return nameText;
  return `${nameText}: ${messageText}`;
}

/**
 * The error's stack in V8's shape: "Name: message\n    at ...". quickjs-ng
 * stacks are only the frame lines, so the header is put in front of them;
 * a stack that already has a header (or is custom text) is used as-is, and an
 * error without a stack is just its header.
 */
function stackText(err: Error): string {
  let stack: unknown;
  try {
    stack = err.stack;
  } catch {
    stack = undefined;
  }
  if (typeof stack === "string" && /^\s+at\s/.test(stack)) {
    return `${errorHeader(err)}\n${stack.replace(/\n+$/, "")}`;
  }
  if (stack) return String(stack);
  return errorHeader(err);
}

function errorBase(ctx: Context, err: Error, ctor: string | null, tag: string, keys: PropertyKey[]): string {
  const bare = ctx.bareError;
  ctx.bareError = false;
  let name = "Error";
  let message: unknown;
  try {
    if (err.name !== undefined && err.name !== null) name = String(err.name);
    message = err.message;
  } catch {
    // keep defaults
  }
  let stack = stackText(err);

  // name/message/stack properties already visible in the stack text would
  // just repeat it.
  if (!ctx.showHidden) {
    for (const key of ["name", "message", "stack"]) {
      const at = keys.indexOf(key);
      if (at !== -1 && stack.includes(String((err as unknown as Record<string, unknown>)[key]))) keys.splice(at, 1);
    }
  }
  if ("cause" in err && !keys.includes("cause")) keys.push("cause");
  if (Array.isArray((err as { errors?: unknown }).errors) && !keys.includes("errors")) keys.push("errors");

  stack = nameStackAfterClass(stack, ctor, name, tag);

  // Frames start after the message (which may itself contain "\n    at").
  const messageText = typeof message === "string" ? message : message ? String(message) : "";
  let searchFrom = messageText === "" ? -1 : stack.indexOf(messageText);
  if (searchFrom > 0) searchFrom += messageText.length;
  else searchFrom = 0; // Node also ignores a match at position 0
  const framesAt = stack.indexOf("\n    at", searchFrom);
  if (framesAt === -1) {
    if (!bare) stack = `[${stack}]`; // no frames: `[Error: message]`
  } else {
    const frames = collapseCauseFrames(ctx, err, stack.slice(framesAt + 1).split("\n"));
    stack = `${stack.slice(0, framesAt)}\n${frames.join("\n")}`;
  }

  if (ctx.indent !== 0) stack = stack.replaceAll("\n", `\n${" ".repeat(ctx.indent)}`);
  return stack;
}

/**
 * Makes the header name the class when it differs from `err.name`:
 * `class Foo extends Error` prints `Foo [Error]: msg`. Only touches stacks
 * that start the usual way.
 */
function nameStackAfterClass(stack: string, ctor: string | null, name: string, tag: string): string {
  let nameLength = name.length;
  const looksNormal =
    name.endsWith("Error") &&
    stack.startsWith(name) &&
    (stack.length === nameLength || stack[nameLength] === ":" || stack[nameLength] === "\n");
  if (ctor !== null && !looksNormal) return stack;

  let fallback = "Error";
  if (ctor === null) {
    const match = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) ?? /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
    fallback = match?.[1] ?? "";
    nameLength = fallback.length;
    fallback ||= "Error";
  }
  const prefix = prefixFor(ctor, tag, fallback).slice(0, -1);
  if (name === prefix) return stack;
  if (prefix.includes(name)) {
    return nameLength === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(nameLength)}`;
  }
  return `${prefix} [${name}]${stack.slice(nameLength)}`;
}

/**
 * When an error has a cause, the frames they share (usually everything below
 * the throwing function) are printed once, under the cause, and replaced
 * here by "... N lines matching cause stack trace ...".
 */
function collapseCauseFrames(ctx: Context, err: Error, frames: string[]): string[] {
  let cause: unknown;
  try {
    cause = (err as { cause?: unknown }).cause;
  } catch {
    return frames;
  }
  if (cause === null || typeof cause !== "object" || !isErrorObject(cause, builtinTagOf(cause))) return frames;
  const causeStack = stackText(cause as Error);
  const causeFramesAt = causeStack.indexOf("\n    at");
  if (causeFramesAt === -1) return frames;
  const causeFrames = causeStack.slice(causeFramesAt + 1).split("\n");

  const shared = firstSharedRun(frames, causeFrames);
  if (shared === undefined) return frames;
  // Keep the first and last shared frame for orientation.
  const skipped = shared.length - 2;
  const note = ctx.stylize(`    ... ${skipped} lines matching cause stack trace ...`, "undefined");
  const result = frames.slice();
  result.splice(shared.start + 1, skipped, note);
  return result;
}

/** First run of more than three consecutive lines of `a` that also appear consecutively in `b`. */
function firstSharedRun(a: string[], b: string[]): { start: number; length: number } | undefined {
  for (let i = 0; i < a.length - 3; i++) {
    const j = b.indexOf(a[i]);
    if (j === -1 || b.length - j <= 3) continue;
    const max = Math.min(a.length - i, b.length - j);
    let length = 1;
    while (length < max && a[i + length] === b[j + length]) length++;
    if (length > 3) return { start: i, length };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Properties and primitives
// ---------------------------------------------------------------------------

type PropertyKind = "object" | "arrayItem" | "arrayExtra";

/** `key: value` (or just `value` for array elements), getters as `[Getter]`. */
function formatProperty(ctx: Context, obj: object, key: PropertyKey, level: number, kind: PropertyKind): string {
  const desc: PropertyDescriptor = Object.getOwnPropertyDescriptor(obj, key) ?? {
    value: (obj as Record<PropertyKey, unknown>)[key],
    enumerable: true,
  };
  let text: string;
  let separator = " ";
  if (desc.value !== undefined) {
    // Legacy compact mode indents object values one column further.
    const extraIndent = ctx.compact === true && kind === "object" ? 3 : 2;
    ctx.indent += extraIndent;
    text = formatValue(ctx, desc.value, level);
    if (extraIndent === 3 && ctx.breakLength < textWidth(text, ctx.colors)) {
      separator = `\n${" ".repeat(ctx.indent)}`;
    }
    ctx.indent -= extraIndent;
  } else if (desc.get !== undefined) {
    text = ctx.stylize(desc.set !== undefined ? "[Getter/Setter]" : "[Getter]", "special");
  } else if (desc.set !== undefined) {
    text = ctx.stylize("[Setter]", "special");
  } else {
    text = ctx.stylize("undefined", "undefined");
  }
  if (kind === "arrayItem") return text;
  return `${formatKey(ctx, key, desc.enumerable !== false)}:${separator}${text}`;
}

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function formatKey(ctx: Context, key: PropertyKey, enumerable: boolean): string {
  if (typeof key === "symbol") return `[${ctx.stylize(escapeUnquoted(key.toString()), "symbol")}]`;
  const name = String(key);
  if (name === "__proto__") return "['__proto__']";
  if (!enumerable) return `[${escapeUnquoted(name)}]`;
  if (IDENTIFIER.test(name)) return ctx.stylize(name, "name");
  return ctx.stylize(quoteString(name), "string");
}

function formatPrimitive(ctx: Context, value: unknown): string {
  switch (typeof value) {
    case "string":
      return formatString(ctx, value);
    case "number":
      return ctx.stylize(formatNumber(value), "number");
    case "bigint":
      return ctx.stylize(`${value}n`, "bigint");
    case "boolean":
      return ctx.stylize(String(value), "boolean");
    case "undefined":
      return ctx.stylize("undefined", "undefined");
    case "symbol":
      return ctx.stylize(value.toString(), "symbol");
    default:
      return String(value);
  }
}

function formatNumber(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Strings shorter than this are never split over lines. */
const MIN_SPLIT_LENGTH = 16;

function formatString(ctx: Context, value: string): string {
  let trailer = "";
  if (value.length > ctx.maxStringLength) {
    const remaining = value.length - ctx.maxStringLength;
    value = value.slice(0, ctx.maxStringLength);
    trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
  }
  // Long multi-line strings are printed as 'line\n' + 'line' pieces.
  if (
    ctx.compact !== true &&
    value.length > MIN_SPLIT_LENGTH &&
    value.length > ctx.breakLength - ctx.indent - 4
  ) {
    const pieces = splitAfterNewlines(value).map((line) => ctx.stylize(quoteString(line), "string"));
    return pieces.join(` +\n${" ".repeat(ctx.indent + 2)}`) + trailer;
  }
  return ctx.stylize(quoteString(value), "string") + trailer;
}

/** "a\nb\n" -> ["a\n", "b\n"] */
function splitAfterNewlines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length || lines.length === 0) lines.push(text.slice(start));
  return lines;
}

/** Characters that are escaped inside quoted strings. */
const NEEDS_ESCAPE = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NEEDS_ESCAPE_ALL = new RegExp(NEEDS_ESCAPE.source, "g");
/** Same, without the lone-surrogate handling (used for keys and symbols). */
const CONTROL_OR_QUOTE = /[\x00-\x1f\x27\x5c\x7f-\x9f]/g;

const SHORT_ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
  "'": "\\'",
  "\\": "\\\\",
};

function escapeChar(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  const code = char.charCodeAt(0);
  if (code >= 0xd800) return `\\u${code.toString(16)}`; // lone surrogate
  return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
}

/**
 * Quotes a string like Node: single quotes by default, double quotes if the
 * text contains single quotes, backticks if it contains both (and no
 * backtick or `${`); otherwise single quotes with escaping.
 */
function quoteString(text: string): string {
  let quote = "'";
  if (text.includes("'")) {
    if (!text.includes('"')) quote = '"';
    else if (!text.includes("`") && !text.includes("${")) quote = "`";
  }
  if (!NEEDS_ESCAPE.test(text)) return `${quote}${text}${quote}`;
  const escaped = text.replace(NEEDS_ESCAPE_ALL, (char) => (char === "'" && quote !== "'" ? char : escapeChar(char)));
  return `${quote}${escaped}${quote}`;
}

/** Escapes control characters, quotes and backslashes without adding quotes. */
function escapeUnquoted(text: string): string {
  return text.replace(CONTROL_OR_QUOTE, escapeChar);
}

// ---------------------------------------------------------------------------
// Layout: one line, several lines, or columns
// ---------------------------------------------------------------------------

const ANSI_PATTERN = /\u001b\[\d\d?m/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, "");
}

/**
 * Combines formatted entries into the final text. Objects stay on one line
 * when they fit in breakLength and nothing more than `compact` levels deep
 * was entered last; otherwise every entry gets its own line (or array
 * entries are arranged in columns).
 */
function assemble(
  ctx: Context,
  output: string[],
  base: string,
  open: string,
  close: string,
  arrayLike: boolean,
  level: number,
  value: object,
): string {
  const lead = base === "" ? "" : `${base} `;
  if (ctx.compact === true) return assembleLegacyCompact(ctx, output, base, open, close);

  if (typeof ctx.compact === "number" && ctx.compact >= 1) {
    const entryCount = output.length;
    if (arrayLike && entryCount > 6) output = groupInColumns(ctx, output, value);
    // Note: lastEnteredLevel is not "the deepest level below this object" but
    // "the level of the object entered last"; Node's output depends on it.
    const shallowEnough = ctx.lastEnteredLevel - level < ctx.compact;
    if (shallowEnough && entryCount === output.length) {
      // Room taken by the opening text, the indentation and separators.
      const overhead = output.length + ctx.indent + open.length + base.length + 10;
      if (fitsOnOneLine(ctx, output, overhead, base)) {
        const joined = output.join(", ");
        if (!joined.includes("\n")) return `${lead}${open} ${joined} ${close}`;
      }
    }
  }
  const newline = `\n${" ".repeat(ctx.indent)}`;
  return `${lead}${open}${newline}  ${output.join(`,${newline}  `)}${newline}${close}`;
}

function fitsOnOneLine(ctx: Context, output: string[], overhead: number, base: string): boolean {
  let total = output.length + overhead;
  if (total + output.length > ctx.breakLength) return false;
  for (const entry of output) {
    total += ctx.colors ? stripAnsi(entry).length : entry.length;
    if (total > ctx.breakLength) return false;
  }
  return base === "" || !base.includes("\n");
}

/** Node's `compact: true` mode: as much as possible on the first line. */
function assembleLegacyCompact(ctx: Context, output: string[], base: string, open: string, close: string): string {
  const baseText = base === "" ? "" : ` ${base}`;
  if (fitsOnOneLine(ctx, output, 0, base)) return `${open}${baseText} ${output.join(", ")} ${close}`;
  const indentation = " ".repeat(ctx.indent);
  const afterOpen = base === "" && open.length === 1 ? " " : `${baseText}\n${indentation}  `;
  return `${open}${afterOpen}${output.join(`,\n${indentation}  `)} ${close}`;
}

/**
 * Arranges many short array entries in aligned columns, e.g.
 *
 *   [
 *      1,  2,  3,  4,  5,
 *      6,  7,  8,  9, 10
 *   ]
 *
 * The column count aims for a roughly square block (a character being about
 * 2.5 times taller than wide), with more columns for short entries. Numbers
 * are right-aligned, anything else left-aligned.
 */
function groupInColumns(ctx: Context, output: string[], value: object): string[] {
  // A trailing "... more items" note stays on its own line.
  const hasMoreNote = ctx.maxArrayLength < output.length;
  const count = hasMoreNote ? output.length - 1 : output.length;
  const separatorWidth = 2; // ", "

  const widths: number[] = [];
  let totalWidth = 0;
  let maxWidth = 0;
  for (let i = 0; i < count; i++) {
    const width = textWidth(output[i], ctx.colors);
    widths.push(width);
    totalWidth += width + separatorWidth;
    if (width > maxWidth) maxWidth = width;
  }
  const cellWidth = maxWidth + separatorWidth;

  // Need at least three columns, and entries of comparable widths (a single
  // long entry would leave huge gaps between the short ones).
  if (cellWidth * 3 + ctx.indent >= ctx.breakLength) return output;
  if (!(totalWidth / cellWidth > 5 || maxWidth <= 6)) return output;

  const averageBias = Math.sqrt(cellWidth - totalWidth / output.length);
  const biasedWidth = Math.max(cellWidth - 3 - averageBias, 1);
  const columns = Math.min(
    Math.round(Math.sqrt(2.5 * biasedWidth * count) / biasedWidth),
    Math.floor((ctx.breakLength - ctx.indent) / cellWidth),
    (ctx.compact as number) * 4,
    15,
  );
  if (columns <= 1) return output;

  const columnWidths: number[] = [];
  for (let column = 0; column < columns; column++) {
    let width = 0;
    for (let i = column; i < count; i += columns) width = Math.max(width, widths[i]);
    columnWidths.push(width + separatorWidth);
  }

  let alignRight = true;
  for (let i = 0; i < output.length; i++) {
    const item = (value as Record<number, unknown>)[i];
    if (typeof item !== "number" && typeof item !== "bigint") {
      alignRight = false;
      break;
    }
  }

  const rows: string[] = [];
  for (let start = 0; start < count; start += columns) {
    const end = Math.min(start + columns, count);
    let row = "";
    for (let i = start; i < end; i++) {
      // Pad to the column width in visible characters; the difference
      // between length and width covers color codes and wide characters.
      const invisible = output[i].length - widths[i];
      const isLast = i === end - 1;
      if (!isLast) {
        const cell = `${output[i]}, `;
        const target = columnWidths[i - start] + invisible;
        row += alignRight ? cell.padStart(target) : cell.padEnd(target);
      } else if (alignRight) {
        row += output[i].padStart(columnWidths[i - start] + invisible - separatorWidth);
      } else {
        row += output[i];
      }
    }
    rows.push(row);
  }
  if (hasMoreNote) rows.push(output[count]);
  return rows;
}

/**
 * Columns a string takes in a terminal: ANSI codes take none, combining
 * marks none, East Asian wide characters and emoji two.
 */
function textWidth(text: string, hasColors: boolean): number {
  if (hasColors) text = stripAnsi(text);
  // Fast path for plain ASCII.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const char of text.normalize("NFC")) {
    const code = char.codePointAt(0)!;
    if (isZeroWidth(code)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isZeroWidth(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x300 && code <= 0x36f) || // combining diacritical marks
    (code >= 0x200b && code <= 0x200f) || // zero width space, joiners, marks
    (code >= 0x20d0 && code <= 0x20ff) || // combining marks for symbols
    (code >= 0xfe00 && code <= 0xfe0f) || // variation selectors
    (code >= 0xfe20 && code <= 0xfe2f) || // combining half marks
    (code >= 0xe0100 && code <= 0xe01ef) // variation selectors supplement
  );
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) || // Hangul Jamo
    code === 0x2329 ||
    code === 0x232a ||
    (code >= 0x2e80 && code <= 0x303e) || // CJK radicals, punctuation
    (code >= 0x3041 && code <= 0x33ff) || // kana, CJK compatibility
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xa000 && code <= 0xa4cf) || // Yi
    (code >= 0xac00 && code <= 0xd7a3) || // Hangul syllables
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0xfe30 && code <= 0xfe4f) || // CJK compatibility forms
    (code >= 0xff00 && code <= 0xff60) || // fullwidth forms
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) || // pictographs, emoticons
    (code >= 0x1f900 && code <= 0x1f9ff) || // supplemental symbols
    (code >= 0x20000 && code <= 0x3fffd) // CJK extensions B+
  );
}
