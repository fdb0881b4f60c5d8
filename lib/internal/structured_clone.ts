// structuredClone(), following the HTML standard's StructuredSerializeInternal
// / StructuredDeserialize pair, done in a single pass: each value is copied as
// soon as it has been read, instead of going through a serialized form.
//
// The walk is iterative, with an explicit stack of pending work, so deeply
// nested data cannot overflow the native stack (quickjs-ng with a 1 MiB stack
// manages only a few hundred levels of recursion here). It still visits values
// depth-first in the standard's order, which getters can observe.
//
// Objects are recognised by their internal slots, as the standard requires,
// using built-in methods that throw on the wrong kind of object ("brand
// checks"). Brand checks that fail are slow (they throw), so they are only
// run where Object.prototype.toString says the object is probably of that
// kind, or when that hint is missing or unusual.

import { isDOMException } from "./dom_exception.ts";

export interface StructuredSerializeOptions {
  transfer?: Iterable<unknown>;
}

// State of one structuredClone() call.
interface Cloning {
  // Original object -> its copy, so shared references and cycles are kept.
  memory: Map<object, unknown>;
  // Copies whose contents are still being filled in, innermost last. Each step
  // copies children until it has pushed a step of its own (the child's
  // contents come first: depth-first order) and returns false once done.
  pending: Array<() => boolean>;
  // Set when the copy is for another thread (`toWire`): errors and regular expressions become
  // records, and this says whether there were any.
  wire?: { records: boolean };
}

function dataCloneError(message: string): DOMException {
  return new DOMException(message, "DataCloneError");
}

// A short description of a value for error messages, without running user code.
function describe(value: unknown): string {
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "symbol") return "a symbol";
  return toStringTag(value).slice(8, -1) + " object";
}

// ---------------------------------------------------------------------------
// Platform objects
//
// Classes implemented by the runtime in JavaScript look like ordinary objects
// to the algorithm, but the standard treats them as platform objects: cloning
// them throws unless the class is serializable. Runtime modules register them
// here. DOMException is serializable (name and message).

type PlatformClass = {
  isInstance: (value: object) => boolean;
  clone: ((value: object) => object) | null;
};

const platformClasses: PlatformClass[] = [
  {
    isInstance: isDOMException,
    clone: (value) => {
      const original = value as DOMException;
      const copy = new DOMException(original.message, original.name);
      copyStack(original, copy);
      return copy;
    },
  },
];

/**
 * Declares a runtime class as a platform object. Without `clone`, its
 * instances (and instances of subclasses) make structuredClone throw a
 * "DataCloneError"; with it, `clone` makes the copy.
 */
export function registerPlatformClass(
  isInstance: (value: object) => boolean,
  clone?: (value: object) => object,
): void {
  platformClasses.push({ isInstance, clone: clone ?? null });
}

// ---------------------------------------------------------------------------
// Intrinsics, captured at load time so later patches of built-in prototypes
// cannot change what cloning does.

const { hasOwn, keys, getPrototypeOf, getOwnPropertyDescriptor, defineProperty } = Object;
const objectToString = Object.prototype.toString;
const { isArray } = Array;

function getter(prototype: object, name: PropertyKey): ((this: unknown) => any) | undefined {
  return getOwnPropertyDescriptor(prototype, name)?.get;
}

const booleanValueOf = Boolean.prototype.valueOf;
const numberValueOf = Number.prototype.valueOf;
const stringValueOf = String.prototype.valueOf;
const bigintValueOf = BigInt.prototype.valueOf;
const symbolValueOf = Symbol.prototype.valueOf;
const dateGetTime = Date.prototype.getTime;
const regExpSource = getter(RegExp.prototype, "source")!;
const regExpGlobal = getter(RegExp.prototype, "global")!;
// [flag letter, getter]; only the flags this engine knows about.
const regExpFlagGetters = (
  [
    ["d", "hasIndices"],
    ["g", "global"],
    ["i", "ignoreCase"],
    ["m", "multiline"],
    ["s", "dotAll"],
    ["u", "unicode"],
    ["v", "unicodeSets"],
    ["y", "sticky"],
  ] as const
)
  .map(([flag, name]) => [flag, getter(RegExp.prototype, name)] as const)
  .filter(([, get]) => get !== undefined) as [string, (this: unknown) => boolean][];

const arrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength")!;
const arrayBufferDetached = getter(ArrayBuffer.prototype, "detached");
const arrayBufferResizable = getter(ArrayBuffer.prototype, "resizable");
const arrayBufferMaxByteLength = getter(ArrayBuffer.prototype, "maxByteLength");
const arrayBufferTransfer = (ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer) => ArrayBuffer })
  .transfer;
const SharedArrayBufferCtor = (globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor })
  .SharedArrayBuffer;
const sharedArrayBufferByteLength = SharedArrayBufferCtor
  ? getter(SharedArrayBufferCtor.prototype, "byteLength")
  : undefined;

const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
// Returns the constructor name for typed arrays, undefined for anything else (never throws).
const typedArrayName = getter(TypedArrayPrototype, Symbol.toStringTag)!;
const typedArrayBuffer = getter(TypedArrayPrototype, "buffer")!;
const typedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset")!;
const typedArrayLength = getter(TypedArrayPrototype, "length")!;
const dataViewBuffer = getter(DataView.prototype, "buffer")!;
const dataViewByteOffset = getter(DataView.prototype, "byteOffset")!;
const dataViewByteLength = getter(DataView.prototype, "byteLength")!;
const { isView } = ArrayBuffer;

type TypedArrayConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => object;
const typedArrayConstructors: Record<string, TypedArrayConstructor> = Object.create(null);
for (const name of [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]) {
  const ctor = (globalThis as unknown as Record<string, TypedArrayConstructor | undefined>)[name];
  if (typeof ctor === "function") typedArrayConstructors[name] = ctor;
}

const mapSize = getter(Map.prototype, "size")!;
const mapForEach = Map.prototype.forEach;
const mapSet = Map.prototype.set;
const setSize = getter(Set.prototype, "size")!;
const setForEach = Set.prototype.forEach;
const setAdd = Set.prototype.add;
const errorIsError = (Error as { isError?: (value: unknown) => boolean }).isError;

// The error names the standard keeps; any other name becomes "Error".
const errorConstructors: Record<string, ErrorConstructor> = Object.assign(Object.create(null), {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
});

// Brand checks for objects with internal slots that cannot be cloned.
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;
const weakRefDeref = typeof WeakRef === "function" ? WeakRef.prototype.deref : undefined;
const finalizationRegistryUnregister =
  typeof FinalizationRegistry === "function" ? FinalizationRegistry.prototype.unregister : undefined;

function passes(check: ((this: unknown, ...args: any[]) => unknown) | undefined, value: object, ...args: unknown[]): boolean {
  if (check === undefined) return false;
  try {
    check.apply(value, args);
    return true;
  } catch {
    return false;
  }
}

function toStringTag(value: unknown): string {
  return objectToString.call(value);
}

// ---------------------------------------------------------------------------
// The kinds of objects the standard can clone, each with its brand check.

type Kind = {
  is: (value: object) => boolean;
  clone: (value: any, cloning: Cloning) => unknown;
};

const BOOLEAN: Kind = {
  is: (value) => passes(booleanValueOf, value),
  clone: (value, cloning) => remember(cloning, value, Object(booleanValueOf.call(value))),
};
const NUMBER: Kind = {
  is: (value) => passes(numberValueOf, value),
  clone: (value, cloning) => remember(cloning, value, Object(numberValueOf.call(value))),
};
const BIGINT: Kind = {
  is: (value) => passes(bigintValueOf, value),
  clone: (value, cloning) => remember(cloning, value, Object(bigintValueOf.call(value))),
};
const STRING: Kind = {
  is: (value) => passes(stringValueOf, value),
  clone: (value, cloning) => remember(cloning, value, Object(stringValueOf.call(value))),
};
const DATE: Kind = {
  is: (value) => passes(dateGetTime, value),
  clone: (value, cloning) => remember(cloning, value, new Date(dateGetTime.call(value))),
};
const REGEXP: Kind = {
  // The `global` getter returns undefined for RegExp.prototype itself, which
  // is not a regular expression.
  is: (value) => {
    try {
      return typeof regExpGlobal.call(value) === "boolean";
    } catch {
      return false;
    }
  },
  clone: (value, cloning) => remember(cloning, value, cloning.wire ? regExpRecord(value, cloning) : cloneRegExp(value)),
};
const ARRAY_BUFFER: Kind = {
  is: (value) => passes(arrayBufferByteLength, value),
  clone: (value, cloning) => remember(cloning, value, cloneArrayBuffer(value)),
};
const MAP: Kind = { is: (value) => passes(mapSize, value), clone: cloneMap };
const SET: Kind = { is: (value) => passes(setSize, value), clone: cloneSet };
const ERROR: Kind = {
  is: (value) => (errorIsError ? errorIsError(value) : toStringTag(value) === "[object Error]"),
  clone: cloneError,
};

// Kinds that always throw.
function unclonable(is: (value: object) => boolean): Kind {
  return {
    is,
    clone: (value) => {
      throw dataCloneError(`${describe(value)} could not be cloned`);
    },
  };
}
const SYMBOL_WRAPPER = unclonable((value) => passes(symbolValueOf, value));
const SHARED_ARRAY_BUFFER = unclonable((value) => passes(sharedArrayBufferByteLength, value));
const WEAK_MAP = unclonable((value) => passes(weakMapHas, value, {}));
const WEAK_SET = unclonable((value) => passes(weakSetHas, value, {}));
const WEAK_REF = unclonable((value) => passes(weakRefDeref, value));
const FINALIZATION_REGISTRY = unclonable((value) => passes(finalizationRegistryUnregister, value, {}));
// Objects with internal slots that no side-effect-free brand check can
// detect; their toStringTag is the only clue.
const OTHER_EXOTIC = unclonable(() => true);

// Every kind in the standard's order, for objects whose tag says nothing useful.
const ALL_KINDS = [
  BOOLEAN,
  NUMBER,
  BIGINT,
  STRING,
  SYMBOL_WRAPPER,
  DATE,
  REGEXP,
  ARRAY_BUFFER,
  SHARED_ARRAY_BUFFER,
  MAP,
  SET,
  ERROR,
  WEAK_MAP,
  WEAK_SET,
  WEAK_REF,
  FINALIZATION_REGISTRY,
];

// What Object.prototype.toString usually says about each kind.
const KIND_BY_TAG: Record<string, Kind> = Object.assign(Object.create(null), {
  "[object Boolean]": BOOLEAN,
  "[object Number]": NUMBER,
  "[object BigInt]": BIGINT,
  "[object String]": STRING,
  "[object Symbol]": SYMBOL_WRAPPER,
  "[object Date]": DATE,
  "[object RegExp]": REGEXP,
  "[object ArrayBuffer]": ARRAY_BUFFER,
  "[object SharedArrayBuffer]": SHARED_ARRAY_BUFFER,
  "[object Map]": MAP,
  "[object Set]": SET,
  "[object Error]": ERROR,
  "[object WeakMap]": WEAK_MAP,
  "[object WeakSet]": WEAK_SET,
  "[object WeakRef]": WEAK_REF,
  "[object FinalizationRegistry]": FINALIZATION_REGISTRY,
});

// Tags of built-in objects whose internal slots make them unclonable but that
// have no brand check free of side effects.
for (const tag of [
  "Promise",
  "Generator",
  "AsyncGenerator",
  "Arguments",
  "Module",
  "Array Iterator",
  "Map Iterator",
  "Set Iterator",
  "String Iterator",
  "RegExp String Iterator",
  "Iterator Helper",
  "Async-from-Sync Iterator",
]) {
  KIND_BY_TAG[`[object ${tag}]`] = OTHER_EXOTIC;
}

// ---------------------------------------------------------------------------
// The algorithm

/**
 * Deep-copies `value` as the HTML structured clone algorithm does. ArrayBuffers
 * listed in `options.transfer` are detached after a successful copy.
 */
export function structuredClone<T>(value: T, options?: StructuredSerializeOptions): T {
  if (arguments.length === 0) {
    throw new TypeError("structuredClone: 1 argument required, but only 0 present");
  }
  return cloneWith(value, options, { memory: new Map(), pending: [] }) as T;
}

function cloneWith(value: unknown, options: StructuredSerializeOptions | undefined, cloning: Cloning): unknown {
  const transferList = readTransferList(options);
  const result = cloneValue(value, cloning);
  const pending = cloning.pending;
  while (pending.length > 0) {
    if (!pending[pending.length - 1]()) pending.pop();
  }
  detachTransferred(transferList);
  return result;
}

// ---------------------------------------------------------------------------
// Between threads (uringy:thread)
//
// A message is cloned here, in the sender's engine, with the standard's checks and errors,
// then written to bytes by the engine's serializer and read in the receiver's engine
// (runtime/src/js/clone.rs). The serializer keeps every kind of value the standard allows
// except errors, which it refuses, and regular expressions, after which quickjs-ng's reader
// loses count of shared references ("invalid object reference"); so those two travel as
// records that `fromWire` turns back into objects.

const WIRE_RECORD = "\u0000uringy:record";

/** The copy of `value` to write for another thread, and whether it holds records. */
export function toWire(value: unknown, options?: StructuredSerializeOptions): [boolean, unknown] {
  if (typeof value !== "object" || value === null) return [false, cloneValue(value, { memory: new Map(), pending: [] })];
  const cloning: Cloning = { memory: new Map(), pending: [], wire: { records: false } };
  const copy = cloneWith(value, options, cloning);
  return [cloning.wire!.records, copy];
}

/** A received copy with its records made errors and regular expressions again (in place). */
export function fromWire(value: unknown): unknown {
  const revived = new Map<object, object>();
  const seen = new Set<object>();
  const pending: object[] = [];
  const fix = (item: unknown): unknown => {
    if (typeof item !== "object" || item === null) return item;
    if (hasOwn(item, WIRE_RECORD)) return revive(item as Record<string, unknown>);
    if (!seen.has(item)) {
      seen.add(item);
      pending.push(item);
    }
    return item;
  };
  const revive = (record: Record<string, unknown>): object => {
    const known = revived.get(record);
    if (known) return known;
    if (record[WIRE_RECORD] === "RegExp") {
      const pattern = new RegExp(record.source as string, record.flags as string);
      revived.set(record, pattern);
      return pattern;
    }
    const message = record.message as string | undefined;
    const Ctor = errorConstructors[record.name as string] ?? Error;
    const error =
      record[WIRE_RECORD] === "DOMException" ? new DOMException(message, record.name as string) : new Ctor(message);
    revived.set(record, error);
    if (typeof record.stack === "string") defineHidden(error, "stack", record.stack);
    if (hasOwn(record, "cause")) defineHidden(error, "cause", fix(record.cause));
    return error;
  };
  const root = fix(value);
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (object instanceof Map) {
      const entries = [...object];
      object.clear();
      for (const [key, item] of entries) object.set(fix(key), fix(item));
    } else if (object instanceof Set) {
      const items = [...object];
      object.clear();
      for (const item of items) object.add(fix(item));
    } else if (isArray(object) || getPrototypeOf(object) === Object.prototype || getPrototypeOf(object) === null) {
      const target = object as Record<string, unknown>;
      for (const key of keys(target)) target[key] = fix(target[key]);
    }
  }
  return root;
}

// An error as a record for the wire: what a clone of it keeps (name, message, stack, cause).
function errorRecord(value: Error, kind: "Error" | "DOMException", cloning: Cloning): object {
  cloning.wire!.records = true;
  const record: Record<string, unknown> = { [WIRE_RECORD]: kind, name: value.name };
  remember(cloning, value, record);
  const messageDescriptor = getOwnPropertyDescriptor(value, "message");
  if (kind === "DOMException") record.message = value.message;
  else if (messageDescriptor && "value" in messageDescriptor) record.message = `${messageDescriptor.value}`;
  if (typeof value.stack === "string") record.stack = value.stack;
  const causeDescriptor = getOwnPropertyDescriptor(value, "cause");
  if (kind === "Error" && causeDescriptor && "value" in causeDescriptor) {
    record.cause = cloneValue(causeDescriptor.value, cloning);
  }
  return record;
}

// Returns the copy of `value`. For containers this is created right away,
// registered in memory and left for a pending step to fill.
function cloneValue(value: unknown, cloning: Cloning): unknown {
  if (typeof value === "function") throw dataCloneError(`${describe(value)} could not be cloned`);
  if (typeof value === "symbol") throw dataCloneError(`${describe(value)} could not be cloned`);
  if (typeof value !== "object" || value === null) return value; // -0 and NaN included
  const copy = cloning.memory.get(value);
  if (copy !== undefined) return copy;
  return cloneObject(value, cloning);
}

// Records the copy before any children are cloned, so cycles and shared
// references resolve to it.
function remember<T>(cloning: Cloning, original: object, copy: T): T {
  cloning.memory.set(original, copy);
  return copy;
}

function cloneObject(value: object, cloning: Cloning): unknown {
  if (isArray(value)) return cloneArray(value, cloning);
  if (isView(value)) return cloneView(value, cloning);

  // Object literals and null-prototype objects, the common case, skip the
  // brand checks. (A built-in object whose prototype was replaced by
  // Object.prototype or null would be missed: a price paid for speed.)
  const prototype = getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return cloneOrdinary(value, cloning);

  // Built-ins first, guided by their tag. Runtime classes have tags of their
  // own, so they are not mistaken for one of these.
  const tag = toStringTag(value);
  const hinted = KIND_BY_TAG[tag];
  if (hinted && hinted.is(value)) return hinted.clone(value, cloning);

  for (const platformClass of platformClasses) {
    if (platformClass.isInstance(value)) {
      if (!platformClass.clone) throw dataCloneError(`${describe(value)} could not be cloned`);
      if (cloning.wire && isDOMException(value)) return errorRecord(value as DOMException, "DOMException", cloning);
      return remember(cloning, value, platformClass.clone(value));
    }
  }
  // Class instances keep the "[object Object]" tag: they are ordinary objects.
  if (tag !== "[object Object]") {
    for (const kind of ALL_KINDS) {
      if (kind !== hinted && kind.is(value)) return kind.clone(value, cloning);
    }
  }
  return cloneOrdinary(value, cloning);
}

// Schedules copying the own enumerable string-keyed properties, read with
// [[Get]] (so getters run) in the order Object.keys gives. `done` runs last.
function copyProperties(source: object, target: object, cloning: Cloning, done?: () => void): void {
  const names = keys(source);
  let next = 0;
  cloning.pending.push(() => {
    const depth = cloning.pending.length;
    while (next < names.length) {
      const key = names[next++];
      // An earlier getter may have deleted this property.
      if (!hasOwn(source, key)) continue;
      const value = (source as Record<string, unknown>)[key];
      // Primitives other than symbols are their own copy. Testing for them
      // here instead of calling cloneValue is measurably faster on quickjs.
      const type = typeof value;
      const isCopy = type !== "object" && type !== "function" && type !== "symbol";
      setProperty(target, key, isCopy ? value : cloneValue(value, cloning));
      if (cloning.pending.length !== depth) return true;
    }
    done?.();
    return false;
  });
}

function setProperty(target: object, key: string, value: unknown): void {
  if (key === "__proto__") {
    // Assignment would call the Object.prototype.__proto__ setter instead.
    defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as Record<string, unknown>)[key] = value;
  }
}

function cloneOrdinary(value: object, cloning: Cloning): object {
  const copy = remember(cloning, value, {});
  copyProperties(value, copy, cloning);
  return copy;
}

function cloneArray(value: unknown[], cloning: Cloning): unknown[] {
  const length = value.length;
  // Filled in index order so a dense source gives a dense copy; setting the
  // length afterwards restores trailing holes.
  const copy = remember(cloning, value, [] as unknown[]);
  copyProperties(value, copy, cloning, () => {
    copy.length = length;
  });
  return copy;
}

function regExpFlags(value: RegExp): string {
  let flags = "";
  for (const [flag, get] of regExpFlagGetters) if (get.call(value)) flags += flag;
  return flags;
}

function cloneRegExp(value: RegExp): RegExp {
  // A fresh RegExp: lastIndex is not carried over.
  return new RegExp(regExpSource.call(value), regExpFlags(value));
}

// A regular expression as a record for the wire (see `toWire`).
function regExpRecord(value: RegExp, cloning: Cloning): object {
  cloning.wire!.records = true;
  return { [WIRE_RECORD]: "RegExp", source: regExpSource.call(value), flags: regExpFlags(value) };
}

function isDetached(buffer: ArrayBuffer): boolean {
  return arrayBufferDetached ? Boolean(arrayBufferDetached.call(buffer)) : false;
}

function cloneArrayBuffer(value: ArrayBuffer): ArrayBuffer {
  if (isDetached(value)) throw dataCloneError("A detached ArrayBuffer could not be cloned");
  const byteLength: number = arrayBufferByteLength.call(value);
  const resizable = arrayBufferResizable ? Boolean(arrayBufferResizable.call(value)) : false;
  const copy = resizable
    ? new (ArrayBuffer as new (length: number, options: object) => ArrayBuffer)(byteLength, {
        maxByteLength: arrayBufferMaxByteLength!.call(value),
      })
    : new ArrayBuffer(byteLength);
  new Uint8Array(copy).set(new Uint8Array(value, 0, byteLength));
  return copy;
}

// Typed arrays and DataViews: the buffer goes through `cloneValue`, so views
// that shared a buffer share its copy. (Buffers have no children, so this
// never leaves pending work.)
function cloneView(value: ArrayBufferView, cloning: Cloning): object {
  const name: string | undefined = typedArrayName.call(value);
  if (name === undefined) {
    const buffer = cloneValue(dataViewBuffer.call(value), cloning) as ArrayBuffer;
    const copy = new DataView(buffer, dataViewByteOffset.call(value), dataViewByteLength.call(value));
    return remember(cloning, value, copy);
  }
  const Ctor = typedArrayConstructors[name];
  if (!Ctor) throw dataCloneError(`${name} could not be cloned`);
  const buffer = cloneValue(typedArrayBuffer.call(value), cloning) as ArrayBuffer;
  const copy = new Ctor(buffer, typedArrayByteOffset.call(value), typedArrayLength.call(value));
  return remember(cloning, value, copy);
}

function cloneMap(value: Map<unknown, unknown>, cloning: Cloning): Map<unknown, unknown> {
  const copy = remember(cloning, value, new Map());
  // Entries are listed before any is cloned: code run while cloning (getters)
  // must not change which entries are copied.
  const entries: unknown[] = [];
  mapForEach.call(value, (v: unknown, k: unknown) => entries.push(k, v));
  // Keys and values alternate in `entries`; a key's copy waits in `key` until
  // its value's copy exists, so the key is fully cloned before the value.
  let next = 0;
  let key: unknown;
  cloning.pending.push(() => {
    const depth = cloning.pending.length;
    while (next < entries.length) {
      const copied = cloneValue(entries[next], cloning);
      if (next++ % 2 === 0) key = copied;
      else mapSet.call(copy, key, copied);
      if (cloning.pending.length !== depth) return true;
    }
    return false;
  });
  return copy;
}

function cloneSet(value: Set<unknown>, cloning: Cloning): Set<unknown> {
  const copy = remember(cloning, value, new Set());
  const elements: unknown[] = [];
  setForEach.call(value, (v: unknown) => elements.push(v));
  let next = 0;
  cloning.pending.push(() => {
    const depth = cloning.pending.length;
    while (next < elements.length) {
      setAdd.call(copy, cloneValue(elements[next++], cloning));
      if (cloning.pending.length !== depth) return true;
    }
    return false;
  });
  return copy;
}

function cloneError(value: Error, cloning: Cloning): Error | object {
  if (cloning.wire) return errorRecord(value, "Error", cloning);
  const name = value.name;
  const Ctor = (typeof name === "string" && errorConstructors[name]) || Error;
  // Only an own data property counts as the message; an inherited or accessor one is dropped.
  const messageDescriptor = getOwnPropertyDescriptor(value, "message");
  const copy =
    messageDescriptor && "value" in messageDescriptor
      ? new Ctor(`${messageDescriptor.value}`)
      : new Ctor();
  remember(cloning, value, copy);
  copyStack(value, copy);
  // `cause` is cloned like any other value (it may refer back to the error).
  const causeDescriptor = getOwnPropertyDescriptor(value, "cause");
  if (causeDescriptor && "value" in causeDescriptor) {
    defineHidden(copy, "cause", cloneValue(causeDescriptor.value, cloning));
  }
  return copy;
}

// The standard leaves `stack` to the engine; keeping it is what users expect.
function copyStack(original: Error, copy: Error): void {
  const stack = original.stack;
  if (typeof stack === "string") defineHidden(copy, "stack", stack);
}

// Non-enumerable, like the properties the Error constructor creates.
function defineHidden(target: object, key: string, value: unknown): void {
  defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

// ---------------------------------------------------------------------------
// Transfer

function readTransferList(options: StructuredSerializeOptions | undefined): ArrayBuffer[] {
  if (options === undefined || options === null) return [];
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError("structuredClone: options must be an object");
  }
  const transfer = options.transfer;
  if (transfer === undefined) return [];
  if (
    (typeof transfer !== "object" && typeof transfer !== "function") ||
    transfer === null ||
    typeof (transfer as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError("structuredClone: options.transfer must be an iterable of objects");
  }
  const list: ArrayBuffer[] = [];
  for (const item of transfer) {
    if ((typeof item !== "object" && typeof item !== "function") || item === null) {
      throw new TypeError("structuredClone: options.transfer may only contain objects");
    }
    list.push(item as ArrayBuffer);
  }
  // Checked after the whole list was read, as WebIDL converts the sequence first.
  for (const item of list) {
    if (!ARRAY_BUFFER.is(item)) throw dataCloneError(`${describe(item)} is not transferable`);
    if (list.indexOf(item) !== list.lastIndexOf(item)) {
      throw dataCloneError("An ArrayBuffer is listed twice in the transfer list");
    }
    if (isDetached(item)) throw dataCloneError("A detached ArrayBuffer could not be transferred");
  }
  return list;
}

// The copies already hold the data; what remains of a transfer is that the
// originals become unusable. Without ArrayBuffer.prototype.transfer (ES2024)
// there is no way to detach a buffer from JavaScript, so they stay as they are.
function detachTransferred(list: ArrayBuffer[]): void {
  for (const buffer of list) {
    // A getter run during cloning may have detached it already.
    if (isDetached(buffer)) throw dataCloneError("A transferred ArrayBuffer was detached while cloning");
  }
  if (!arrayBufferTransfer) return;
  for (const buffer of list) arrayBufferTransfer.call(buffer);
}
