// URL and URLSearchParams (WHATWG URL). Parsing and the component setters are the `url`
// crate's (op_url_*); the application/x-www-form-urlencoded rules of URLSearchParams are here.

import ops from "uringy:ops";
import type { UrlParts } from "uringy:ops";

const { op_url_parse, op_url_set } = ops;

const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOST = 4, HOSTNAME = 5, PORT = 6, PATHNAME = 7,
  SEARCH = 8, HASH = 9, ORIGIN = 10;

export class URL {
  #parts: UrlParts;
  #searchParams: URLSearchParams | undefined;

  constructor(url: string | URL, base?: string | URL) {
    this.#parts = parseOrThrow(url, base);
  }

  static canParse(url: string | URL, base?: string | URL): boolean {
    return op_url_parse(usv(url), base === undefined ? undefined : usv(base)) !== undefined;
  }

  static parse(url: string | URL, base?: string | URL): URL | null {
    return URL.canParse(url, base) ? new URL(url, base) : null;
  }

  #set(part: string, value: unknown): void {
    this.#parts = op_url_set(this.#parts[HREF], part, usv(value));
    if (part === "search") this.#searchParams?._replace(this.#parts[SEARCH]);
  }

  /** Called by searchParams when it changes. */
  _updateSearch(query: string): void {
    this.#parts = op_url_set(this.#parts[HREF], "search", query);
  }

  get href(): string { return this.#parts[HREF]; }
  /** Unlike the other setters, an invalid href throws (as the spec says). */
  set href(value: string) {
    this.#parts = parseOrThrow(value);
    this.#searchParams?._replace(this.#parts[SEARCH]);
  }
  get protocol(): string { return this.#parts[PROTOCOL]; }
  set protocol(value: string) { this.#set("protocol", value); }
  get username(): string { return this.#parts[USERNAME]; }
  set username(value: string) { this.#set("username", value); }
  get password(): string { return this.#parts[PASSWORD]; }
  set password(value: string) { this.#set("password", value); }
  get host(): string { return this.#parts[HOST]; }
  set host(value: string) { this.#set("host", value); }
  get hostname(): string { return this.#parts[HOSTNAME]; }
  set hostname(value: string) { this.#set("hostname", value); }
  get port(): string { return this.#parts[PORT]; }
  set port(value: string | number) { this.#set("port", value); }
  get pathname(): string { return this.#parts[PATHNAME]; }
  set pathname(value: string) { this.#set("pathname", value); }
  get search(): string { return this.#parts[SEARCH]; }
  set search(value: string) { this.#set("search", value); }
  get hash(): string { return this.#parts[HASH]; }
  set hash(value: string) { this.#set("hash", value); }
  get origin(): string { return this.#parts[ORIGIN]; }

  get searchParams(): URLSearchParams {
    if (this.#searchParams === undefined) {
      this.#searchParams = new URLSearchParams(this.#parts[SEARCH]);
      this.#searchParams._attach(this);
    }
    return this.#searchParams;
  }

  toString(): string { return this.#parts[HREF]; }
  toJSON(): string { return this.#parts[HREF]; }
  get [Symbol.toStringTag](): string { return "URL"; }

  [Symbol.for("nodejs.util.inspect.custom")](): object {
    const view: Record<string, unknown> = {};
    for (const key of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "searchParams", "hash"]) {
      view[key] = this[key as keyof URL];
    }
    return Object.setPrototypeOf(view, Object.create(null, { constructor: { value: URL } }));
  }
}

const { toWellFormed } = String.prototype;

/**
 * WebIDL's USVString conversion: lone surrogates become U+FFFD, as the spec's algorithms
 * expect (and as ops need: the engine hands them over as invalid UTF-8, which they reject).
 */
function usv(value: unknown): string {
  return toWellFormed.call(String(value));
}

/** The components of `url` parsed against `base`; a TypeError with Node's code when invalid. */
function parseOrThrow(url: unknown, base?: unknown): UrlParts {
  const parts = op_url_parse(usv(url), base === undefined ? undefined : usv(base));
  if (parts === undefined) {
    const error = new TypeError(`Invalid URL: ${String(url)}${base === undefined ? "" : ` (base ${String(base)})`}`);
    Object.defineProperty(error, "code", { value: "ERR_INVALID_URL", enumerable: true });
    throw error;
  }
  return parts;
}

type Init = string | URLSearchParams | Record<string, string> | Iterable<readonly [string, string]>;

export class URLSearchParams {
  #list: [string, string][] = [];
  #url: URL | undefined;

  constructor(init: Init = "") {
    if (typeof init === "string") {
      this.#list = parse(init.startsWith("?") ? init.slice(1) : init);
    } else if (init !== null && typeof init === "object" && Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, string]>) {
        // Each pair is a sequence, which WebIDL requires to be an object (not, say, "ab").
        if (pair === null || (typeof pair !== "object" && typeof pair !== "function")) {
          throw new TypeError("URLSearchParams: each pair must be an iterable of exactly [name, value]");
        }
        const items = [...pair];
        if (items.length !== 2) {
          throw new TypeError("URLSearchParams: each pair must be an iterable of exactly [name, value]");
        }
        this.#list.push([usv(items[0]), usv(items[1])]);
      }
    } else if (init !== null && typeof init === "object") {
      for (const [name, value] of Object.entries(init)) this.#list.push([usv(name), usv(value)]);
    } else {
      this.#list = parse(usv(init));
    }
  }

  _attach(url: URL): void { this.#url = url; }
  _replace(search: string): void { this.#list = parse(search.startsWith("?") ? search.slice(1) : search); }

  #update(): void {
    this.#url?._updateSearch(this.toString());
  }

  get size(): number { return this.#list.length; }

  append(name: string, value: string): void {
    this.#list.push([usv(name), usv(value)]);
    this.#update();
  }

  delete(name: string, value?: string): void {
    const key = usv(name), only = value === undefined ? undefined : usv(value);
    this.#list = this.#list.filter(([n, v]) => n !== key || (only !== undefined && v !== only));
    this.#update();
  }

  get(name: string): string | null {
    const key = usv(name);
    return this.#list.find(([n]) => n === key)?.[1] ?? null;
  }

  getAll(name: string): string[] {
    const key = usv(name);
    return this.#list.filter(([n]) => n === key).map(([, v]) => v);
  }

  has(name: string, value?: string): boolean {
    const key = usv(name), only = value === undefined ? undefined : usv(value);
    return this.#list.some(([n, v]) => n === key && (only === undefined || v === only));
  }

  set(name: string, value: string): void {
    const key = usv(name);
    const index = this.#list.findIndex(([n]) => n === key);
    if (index === -1) {
      this.#list.push([key, usv(value)]);
    } else {
      this.#list[index][1] = usv(value);
      this.#list = this.#list.filter(([n], i) => i <= index || n !== key);
    }
    this.#update();
  }

  /** A stable sort by name, comparing UTF-16 code units as the spec says. */
  sort(): void {
    this.#list = this.#list
      .map((pair, i) => [pair, i] as const)
      .sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j))
      .map(([pair]) => pair);
    this.#update();
  }

  // Iteration is live, as the spec's is: it sees entries that the loop body adds or deletes.
  // (Hence indices into the current list: delete, set and sort replace the array.)

  forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.#list.length; i++) callback.call(thisArg, this.#list[i][1], this.#list[i][0], this);
  }

  *keys(): IterableIterator<string> { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][0]; }
  *values(): IterableIterator<string> { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][1]; }
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]];
  }
  [Symbol.iterator](): IterableIterator<[string, string]> { return this.entries(); }

  toString(): string {
    return this.#list.map(([name, value]) => `${serialize(name)}=${serialize(value)}`).join("&");
  }

  get [Symbol.toStringTag](): string { return "URLSearchParams"; }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const body = this.#list.map(([n, v]) => `'${n}' => '${v}'`).join(", ");
    return `URLSearchParams {${body ? ` ${body} ` : ""}}`;
  }
}

/** UTF-8 without going through the lazily loaded TextEncoder global. */
const encoder = { encode: (s: string): Uint8Array => new Uint8Array(ops.op_text_encode(s)) };

/** application/x-www-form-urlencoded serializing: bytes of `*-._`, digits and letters stay. */
function serialize(text: string): string {
  let out = "";
  for (const byte of encoder.encode(text)) {
    if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
        byte === 0x2a || byte === 0x2d || byte === 0x2e || byte === 0x5f) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      out += "+";
    } else {
      out += "%" + (byte < 16 ? "0" : "") + byte.toString(16).toUpperCase();
    }
  }
  return out;
}

function parse(query: string): [string, string][] {
  const list: [string, string][] = [];
  for (const piece of query.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? "" : piece.slice(eq + 1);
    list.push([percentDecode(name.replaceAll("+", " ")), percentDecode(value.replaceAll("+", " "))]);
  }
  return list;
}

/** Percent-decoding that leaves malformed `%` sequences as they are, then UTF-8 (lossy). */
function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hi = hexValue(bytes[i + 1]), lo = hexValue(bytes[i + 2]);
    if (bytes[i] === 0x25 && hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      out[n++] = bytes[i];
    }
  }
  return ops.op_text_decode(out.subarray(0, n), "utf-8", false, false, false)[0];
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
