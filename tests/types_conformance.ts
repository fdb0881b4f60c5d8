// The public declarations in types/ checked against the implementation in lib/, so that the
// two cannot drift apart: `npx tsc -p .` (run by .ci/run) fails, naming the module and the
// export, when they differ. Never run (it is not a *.test.ts file); only type-checked.
//
// For each module, the implementation's namespace (`import type * as Impl from "../lib/…"`)
// and the declaration's (`import type * as Decl from "uringy:…"`) must have the same value
// exports, and each pair must be the same type — TypeScript's identity relation, stricter than
// assignability both ways (an optional parameter, a method's parameter type, `readonly` all
// count). Classes are compared by their public instance members, their static members and,
// where the declaration's constructor is public, its parameters: `#private` members (which
// make two classes of the same shape different types), the native-descriptor key and a
// constructor the declaration keeps private are implementation details. A type that mentions
// such a class is compared with every class in it replaced by its public members.
//
// Exported types (interfaces, type aliases) are not visible in a namespace's type, so each
// module's are listed below by name (generic ones instantiated with placeholder types): a type
// missing on one side is an error at its name. A type exported on one side only, and never
// listed here, is not caught; add it to the module's list.
//
// A failure reads, e.g.:
//   Type 'true' is not assignable to type '{ "uringy:fs": { open: { lib: …; types: … } } }'.
// where `lib` is the implementation's type and `types` the declaration's (`"missing"` when an
// export exists on one side only), or for a class `{ members: … }` / `{ statics: … }`.

import type * as FsImpl from "../lib/fs.ts";
import type * as FsDecl from "uringy:fs";
import type * as IoImpl from "../lib/io.ts";
import type * as IoDecl from "uringy:io";
import type * as FiberImpl from "../lib/fiber.ts";
import type * as FiberDecl from "uringy:fiber";
import type * as SyncImpl from "../lib/sync.ts";
import type * as SyncDecl from "uringy:sync";
import type * as ThreadImpl from "../lib/thread.ts";
import type * as ThreadDecl from "uringy:thread";
import type * as ProcessImpl from "../lib/process.ts";
import type * as ProcessDecl from "uringy:process";
import type * as NetImpl from "../lib/net.ts";
import type * as NetDecl from "uringy:net";
import type * as TestImpl from "../lib/test.ts";
import type * as TestDecl from "uringy:test";
import type * as ConsoleImpl from "../lib/internal/console.ts";
import type * as TimersImpl from "../lib/internal/timers.ts";
import type * as ProcessGlobalImpl from "../lib/internal/process.ts";
import type * as PerformanceImpl from "../lib/internal/performance.ts";
import type * as EncodingImpl from "../lib/internal/encoding.ts";
import type * as UrlImpl from "../lib/internal/url.ts";
import type * as CryptoImpl from "../lib/internal/crypto.ts";
import type * as CloneImpl from "../lib/internal/structured_clone.ts";
import type * as EventsImpl from "../lib/internal/events.ts";
import type { descriptor } from "../lib/internal/stream.ts";

// ---------------------------------------------------------------------------------------------
// The comparison

/** Whether `A` and `B` are the same type: the compiler compares two deferred conditional
 *  types by the identity of their `extends` clauses. */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false;

/** Keys that are implementation details: the native descriptor that sockets and files carry,
 *  and members named `_…`, which lib/ makes public only for its own classes to call. */
type Hidden = typeof descriptor | `_${string}`;
type Keys<T> = Exclude<keyof T, Hidden>;

type Primitive = string | number | bigint | boolean | symbol | null | undefined | void;
/** Types that are the same object on both sides (the ECMAScript built-ins). */
type Builtin = ArrayBufferLike | ArrayBufferView | Date | RegExp | Error | Promise<unknown> | Iterator<unknown>;

/** `T` with every class instance in it replaced by its public members (recursively through
 *  functions, arrays and objects): what is left when `#private` brands are set aside. Generic
 *  signatures lose their type parameters here, so it is used only where `Same` fails. */
type Canon<T> =
  unknown extends T ? T
  : T extends Primitive ? T
  : [Named<T>] extends [never] ? CanonObject<T>
  : Named<T>;
type CanonObject<T> =
  T extends (...args: infer A) => infer R
    ? ([keyof T] extends [never] ? (...args: Canon<A>) => Canon<R> : ((...args: Canon<A>) => Canon<R>) & CanonMembers<T>)
  : T extends readonly unknown[] ? { [K in keyof T]: Canon<T[K]> }
  : T extends IterableIterator<infer E> ? IterableIterator<Canon<E>>
  : T extends Builtin ? T
  : T extends Iterable<infer E> ? Iterable<Canon<E>>
  : CanonMembers<T>;
type CanonMembers<T> = { [K in keyof T as K extends Hidden ? never : K]: Canon<T[K]> };

/** The global classes, which refer to one another (an Event's target, a listener's options'
 *  signal, …): inside other types they are compared by name, and each is compared once, by its
 *  members, below. */
type Named<T> =
  T extends EventsImpl.CustomEvent<any> | CustomEvent<any> ? { class: "CustomEvent" }
  : T extends EventsImpl.Event | Event ? { class: "Event" }
  : T extends EventsImpl.AbortSignal | AbortSignal ? { class: "AbortSignal" }
  : T extends EventsImpl.EventTarget | EventTarget ? { class: "EventTarget" }
  : T extends EventsImpl.AbortController | AbortController ? { class: "AbortController" }
  : T extends UrlImpl.URLSearchParams | URLSearchParams ? { class: "URLSearchParams" }
  : T extends UrlImpl.URL | URL ? { class: "URL" }
  : never;

/** A class (or a constructor declared as a `var`): it has a `prototype`. */
type IsClass<T> = unknown extends T ? false : string extends keyof T ? false : "prototype" extends keyof T ? true : false;
type Instance<C> = C extends { prototype: infer P } ? P : never;
type Statics<C> = { [K in keyof C as K extends "prototype" ? never : K]: C[K] };
/** The constructor's parameters, or "private" for a constructor users may not call. */
type ConstructorArgs<C> = C extends abstract new (...args: infer A) => unknown ? A : "private";
/** An object type whose members are worth listing: not a function, array or built-in. */
type IsObject<T> =
  unknown extends T ? false
  : T extends Primitive | Builtin | readonly unknown[] | ((...args: never[]) => unknown) ? false
  : T extends object ? true : false;
/** Whether member `K` is `readonly` and whether it is optional. */
type Modifiers<T, K extends keyof T> =
  [optional: {} extends Pick<T, K> ? true : false, readonly: Same<Pick<T, K>, Readonly<Pick<T, K>>>];

type Agree<A, B> =
  [IsClass<A>, IsClass<B>] extends [false, false]
    ? (Same<A, B> extends true ? true : Same<Canon<A>, Canon<B>>)
    : ClassAgree<A, B>;

type ClassAgree<A, B> =
  [keyof Differences<Instance<A>, Instance<B>>, keyof Differences<Statics<A>, Statics<B>>] extends [never, never]
    ? (ConstructorArgs<B> extends "private" ? true : Agree<ConstructorArgs<A>, ConstructorArgs<B>>)
    : false;

type MemberAgrees<I, D, K> =
  K extends Keys<I> & Keys<D>
    ? (Same<Modifiers<I, K>, Modifiers<D, K>> extends true ? Agree<I[K], D[K]> : false)
    : false;

type Detail<I, D, K extends keyof I & keyof D> =
  Same<Modifiers<I, K>, Modifiers<D, K>> extends false ? { modifiers: { lib: Modifiers<I, K>; types: Modifiers<D, K> } }
  : [IsClass<I[K]>, IsClass<D[K]>] extends [true, true]
    ? { members: Differences<Instance<I[K]>, Instance<D[K]>>; statics: Differences<Statics<I[K]>, Statics<D[K]>>;
        constructor: { lib: ConstructorArgs<I[K]>; types: ConstructorArgs<D[K]> } }
  : [IsObject<I[K]>, IsObject<D[K]>] extends [true, true] ? { members: Differences<I[K], D[K]> }
  : { lib: I[K]; types: D[K] };

/** The keys of `I` (the implementation) and `D` (the declaration) that differ, each with what
 *  either side has. */
type Differences<I, D> = Show<{
  [K in Keys<I> | Keys<D> as MemberAgrees<I, D, K> extends true ? never : K]:
    K extends Keys<I>
      ? K extends Keys<D> ? Detail<I, D, K> : { lib: I[K]; types: "missing" }
      : { lib: "missing"; types: D[K & Keys<D>] };
}>;

/** `T` written out in error messages rather than named by its alias. */
type Show<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/** `true` when `Module`'s implementation and declaration agree, else the differences. */
type Conforms<Module extends string, I, D> = keyof Differences<I, D> extends never ? true : { [M in Module]: Differences<I, D> };

/** A module's exports: bindings a user cannot assign, whether declared `const` or `function`. */
type Exports<M> = Readonly<M>;

/** `I` with its members `K` taken from `D`: a difference accepted where it is used, with why. */
type Accept<I, D, K extends keyof D> = Show<Omit<I, K> & Pick<D, K>>;
/** The class `C` with instance members `K` taken from the declared class `D`. */
type AcceptMembers<C, D, K extends keyof Instance<D>> =
  Statics<C> & { prototype: Accept<Instance<C>, Instance<D>, K> } & (new (...args: Extract<ConstructorArgs<C>, unknown[]>) => Instance<C>);
/** The class `C` with the constructor parameters of the declared class `D`. */
type AcceptConstructor<C, D> =
  Statics<C> & { prototype: Instance<C> } & (new (...args: Extract<ConstructorArgs<D>, unknown[]>) => Instance<C>);

// Placeholders for type parameters: types equal only to themselves.
declare const p1: unique symbol;
declare const p2: unique symbol;
type P1 = typeof p1;
type P2 = typeof p2;

// ---------------------------------------------------------------------------------------------
// The modules

export const fs: Conforms<"uringy:fs", Exports<typeof FsImpl>, Exports<typeof FsDecl>> = true;
export const fsTypes: Conforms<"uringy:fs (types)",
  { Stat: FsImpl.Stat; DirEntry: FsImpl.DirEntry; OpenOptions: FsImpl.OpenOptions; File: FsImpl.File },
  { Stat: FsDecl.Stat; DirEntry: FsDecl.DirEntry; OpenOptions: FsDecl.OpenOptions; File: FsDecl.File }> = true;

export const io: Conforms<"uringy:io", Exports<typeof IoImpl>, Exports<typeof IoDecl>> = true;
export const ioTypes: Conforms<"uringy:io (types)",
  { Reader: IoImpl.Reader; Writer: IoImpl.Writer },
  { Reader: IoDecl.Reader; Writer: IoDecl.Writer }> = true;

export const fiber: Conforms<"uringy:fiber", Exports<typeof FiberImpl>, Exports<typeof FiberDecl>> = true;
export const fiberTypes: Conforms<"uringy:fiber (types)",
  { Fiber: FiberImpl.Fiber<P1>; Cancelled: FiberImpl.Cancelled; TimeoutError: FiberImpl.TimeoutError },
  { Fiber: FiberDecl.Fiber<P1>; Cancelled: FiberDecl.Cancelled; TimeoutError: FiberDecl.TimeoutError }> = true;

export const sync: Conforms<"uringy:sync", Exports<typeof SyncImpl>, Exports<typeof SyncDecl>> = true;
export const thread: Conforms<"uringy:thread", Exports<typeof ThreadImpl>, Exports<typeof ThreadDecl>> = true;
export const syncTypes: Conforms<"uringy:sync (types)",
  { Channel: SyncImpl.Channel<P1>; ChannelClosed: SyncImpl.ChannelClosed; Mutex: SyncImpl.Mutex; Semaphore: SyncImpl.Semaphore },
  { Channel: SyncDecl.Channel<P1>; ChannelClosed: SyncDecl.ChannelClosed; Mutex: SyncDecl.Mutex; Semaphore: SyncDecl.Semaphore }> = true;

export const process: Conforms<"uringy:process", Exports<typeof ProcessImpl>, Exports<typeof ProcessDecl>> = true;

export const net: Conforms<"uringy:net", Exports<typeof NetImpl>, Exports<typeof NetDecl>> = true;
export const netTypes: Conforms<"uringy:net (types)",
  { Addr: NetImpl.Addr; TcpListener: NetImpl.TcpListener; TcpStream: NetImpl.TcpStream; UdpSocket: NetImpl.UdpSocket;
    UnixListener: NetImpl.UnixListener; UnixStream: NetImpl.UnixStream;
    // lib/net.ts does not export the halves' types: they are what split() returns.
    ReadHalf: ReturnType<NetImpl.TcpStream["split"]>[0]; WriteHalf: ReturnType<NetImpl.TcpStream["split"]>[1] },
  { Addr: NetDecl.Addr; TcpListener: NetDecl.TcpListener; TcpStream: NetDecl.TcpStream; UdpSocket: NetDecl.UdpSocket;
    UnixListener: NetDecl.UnixListener; UnixStream: NetDecl.UnixStream; ReadHalf: NetDecl.ReadHalf; WriteHalf: NetDecl.WriteHalf }> = true;

export const test: Conforms<"uringy:test", Exports<typeof TestImpl>, Exports<typeof TestDecl>> = true;
export const testTypes: Conforms<"uringy:test (types)",
  { TestFunction: TestImpl.TestFunction; TestOptions: TestImpl.TestOptions; Test: TestImpl.Test; Describe: TestImpl.Describe;
    Constructor: TestImpl.Constructor; ThrowExpectation: TestImpl.ThrowExpectation; TypeOfName: TestImpl.TypeOfName;
    Matchers: TestImpl.Matchers<P1, P2>; Expectations: TestImpl.Expectations<P1>; AsyncExpectations: TestImpl.AsyncExpectations<P1>;
    AsymmetricMatcher: TestImpl.AsymmetricMatcher; MatcherResult: TestImpl.MatcherResult; MatcherContext: TestImpl.MatcherContext;
    MatcherUtils: TestImpl.MatcherUtils; CustomMatcher: TestImpl.CustomMatcher; Expect: TestImpl.Expect;
    AssertionErrorDetails: TestImpl.AssertionErrorDetails; AssertionError: TestImpl.AssertionError },
  { TestFunction: TestDecl.TestFunction; TestOptions: TestDecl.TestOptions; Test: TestDecl.Test; Describe: TestDecl.Describe;
    Constructor: TestDecl.Constructor; ThrowExpectation: TestDecl.ThrowExpectation; TypeOfName: TestDecl.TypeOfName;
    Matchers: TestDecl.Matchers<P1, P2>; Expectations: TestDecl.Expectations<P1>; AsyncExpectations: TestDecl.AsyncExpectations<P1>;
    AsymmetricMatcher: TestDecl.AsymmetricMatcher; MatcherResult: TestDecl.MatcherResult; MatcherContext: TestDecl.MatcherContext;
    MatcherUtils: TestDecl.MatcherUtils; CustomMatcher: TestDecl.CustomMatcher; Expect: TestDecl.Expect;
    AssertionErrorDetails: TestDecl.AssertionErrorDetails; AssertionError: TestDecl.AssertionError }> = true;

// ---------------------------------------------------------------------------------------------
// The globals that lib/ implements (lib/internal/bootstrap.ts installs them). queueMicrotask,
// DOMException, atob, btoa and reportError are the engine's or bootstrap's own, with no module
// to compare. `Accept…` marks where the declaration knowingly says more than the
// implementation's annotations do.

type GlobalsImpl = {
  console: Accept<typeof ConsoleImpl.console, Console,
    // Optional and readonly as called: `console.dir()`, `console.assert()`, a readonly column
    // list (lib/internal/console.ts annotates them as required and mutable).
    "dir" | "assert" | "table">;
  // The declaration types the callback's arguments from the ones passed (two overloads, as the
  // DOM lib has); the implementation takes any callback.
  setTimeout: typeof globalThis.setTimeout;
  setInterval: typeof globalThis.setInterval;
  clearTimeout: typeof TimersImpl.clearTimeout;
  clearInterval: typeof TimersImpl.clearInterval;
  // An object literal: readonly only in the declaration. `env` may lack a name, `platform` is
  // compared with other platforms' names and `versions` may grow, as in @types/node.
  process: Accept<Readonly<typeof ProcessGlobalImpl.process>, Readonly<Process>, "env" | "platform" | "versions" | "stdout" | "stderr">;
  performance: Readonly<typeof PerformanceImpl.performance>;
  TextEncoder: typeof EncodingImpl.TextEncoder;
  TextDecoder: typeof EncodingImpl.TextDecoder;
  URL: typeof UrlImpl.URL;
  // The declaration also admits `string[][]`, as the DOM lib does (each pair's length is checked
  // when it runs).
  URLSearchParams: AcceptConstructor<typeof UrlImpl.URLSearchParams, typeof URLSearchParams>;
  // A UUID's shape, as the DOM lib types it.
  crypto: Accept<typeof CryptoImpl.crypto, Crypto, "randomUUID">;
  structuredClone: typeof CloneImpl.structuredClone;
  // The phase constants are on every event too (defineConstants puts them on the prototype).
  Event: AcceptMembers<typeof EventsImpl.Event, typeof Event, "NONE" | "CAPTURING_PHASE" | "AT_TARGET" | "BUBBLING_PHASE">;
  // `detail` is `T` (`null` when not given), as the DOM lib types it.
  CustomEvent: AcceptMembers<typeof EventsImpl.CustomEvent, typeof CustomEvent,
    "NONE" | "CAPTURING_PHASE" | "AT_TARGET" | "BUBBLING_PHASE" | "detail">;
  EventTarget: typeof EventsImpl.EventTarget;
  // `reason` is whatever was given to abort(), typed `any` as in the DOM lib.
  AbortSignal: AcceptMembers<typeof EventsImpl.AbortSignal, typeof AbortSignal, "reason">;
  AbortController: typeof EventsImpl.AbortController;
};
type GlobalsDecl = {
  [K in keyof GlobalsImpl]: K extends "process" | "performance" ? Readonly<(typeof globalThis)[K]> : (typeof globalThis)[K];
};
export const globals: Conforms<"globals", GlobalsImpl, GlobalsDecl> = true;
