// atob() and btoa() from the HTML standard, and the byte-level helpers behind
// them, which the runtime reuses wherever it needs base64.
//
// Decoding is the "forgiving-base64 decode" of the Infra standard: ASCII
// whitespace is ignored, padding is optional (but must be right if present),
// and unused bits in the last character are ignored.

import { DOMException } from "./dom_exception.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d; // "="
const ALPHABET_A = 0x41; // "A", which decodes to 0: stands in for absent characters

// Character code of each 6-bit value.
const ENCODE = new Uint8Array(64);
// 6-bit value of each character code below 256; INVALID for anything else and
// WHITESPACE for the ASCII whitespace the decoder skips.
const INVALID = 0xff;
const WHITESPACE = 0xfe;
const DECODE = new Uint8Array(256).fill(INVALID);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
for (const c of [0x09, 0x0a, 0x0c, 0x0d, 0x20]) DECODE[c] = WHITESPACE;

// Strings are built from character codes in slices of this many: large enough
// to amortise the call, small enough for engines' argument-count limits.
const CHUNK = 8192;

function invalidCharacter(message: string): DOMException {
  return new DOMException(message, "InvalidCharacterError");
}

// WebIDL DOMString conversion: String(), but symbols throw a TypeError.
function toDOMString(value: unknown): string {
  return `${value}`;
}

/** Turns codes 0..0xFFFF into a string, one code unit each, without per-character concatenation. */
function fromCharCodes(codes: Uint8Array): string {
  if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes as unknown as number[]);
  const parts: string[] = [];
  for (let start = 0; start < codes.length; start += CHUNK) {
    const slice = codes.subarray(start, start + CHUNK);
    parts.push(String.fromCharCode.apply(null, slice as unknown as number[]));
  }
  return parts.join("");
}

// ---------------------------------------------------------------------------
// Encoding and decoding bytes
//
// Engines with the ES2026 Uint8Array base64 methods (quickjs-ng has them) do
// this natively, far faster than JavaScript can. Their default "loose" mode
// decodes exactly as forgiving-base64 does; only the error differs.

const nativeToBase64 = (Uint8Array.prototype as { toBase64?: (this: Uint8Array) => string }).toBase64;
const nativeFromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

/** Standard base64 (RFC 4648 §4) with "=" padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return nativeToBase64 ? nativeToBase64.call(bytes) : encodeBase64Portable(bytes);
}

/** Forgiving-base64 decode. Throws an "InvalidCharacterError" DOMException on bad input. */
export function decodeBase64(text: string): Uint8Array {
  if (!nativeFromBase64) return decodeBase64Portable(text);
  try {
    return nativeFromBase64(text);
  } catch (e) {
    // The engine says SyntaxError for bad input; anything else (a RangeError deep in the
    // stack) is not about the input.
    if (e instanceof SyntaxError) throw notCorrectlyEncoded();
    throw e;
  }
}

function notCorrectlyEncoded(): DOMException {
  return invalidCharacter("The string to be decoded is not correctly encoded.");
}

/** `encodeBase64` in plain JavaScript, for engines without Uint8Array.prototype.toBase64. Exported for tests. */
export function encodeBase64Portable(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil(length / 3) * 4);
  let o = 0;
  let i = 0;
  // Whole groups of three bytes become four characters.
  for (const end = length - (length % 3); i < end; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENCODE[n >>> 18];
    out[o++] = ENCODE[(n >>> 12) & 63];
    out[o++] = ENCODE[(n >>> 6) & 63];
    out[o++] = ENCODE[n & 63];
  }
  // One or two leftover bytes are padded to a full group of four.
  const rest = length - i;
  if (rest > 0) {
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    out[o++] = ENCODE[n >>> 18];
    out[o++] = ENCODE[(n >>> 12) & 63];
    out[o++] = rest === 2 ? ENCODE[(n >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return fromCharCodes(out);
}

/** `decodeBase64` in plain JavaScript, for engines without Uint8Array.fromBase64. Exported for tests. */
export function decodeBase64Portable(input: string): Uint8Array {
  const text = hasWhitespace(input) ? input.replace(/[\t\n\f\r ]+/g, "") : input;
  let length = text.length;
  // Padding may only complete the last group: strip one or two "=" when
  // the length is a multiple of 4; any other "=" is an invalid character.
  if (length % 4 === 0 && length > 0 && text.charCodeAt(length - 1) === PAD) {
    length -= text.charCodeAt(length - 2) === PAD ? 2 : 1;
  }
  if (length % 4 === 1) throw notCorrectlyEncoded();

  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let o = 0;
  let i = 0;
  for (const end = length - (length % 4); i < end; i += 4) {
    const n = decodeGroup(text, i, 4);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  // A final group of two or three characters carries one or two bytes; its
  // leftover low bits are ignored.
  const rest = length - i;
  if (rest >= 2) {
    const n = decodeGroup(text, i, rest);
    out[o++] = n >>> 16;
    if (rest === 3) out[o++] = (n >>> 8) & 0xff;
  }
  return out;
}

function hasWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 && DECODE[c] === WHITESPACE) return true;
  }
  return false;
}

// Decodes `count` (2 to 4) characters from `index` into the top bits of a
// 24-bit number. Whitespace has been removed already, so anything outside the
// alphabet (including "=") is an error.
function decodeGroup(text: string, index: number, count: number): number {
  const c0 = text.charCodeAt(index);
  const c1 = text.charCodeAt(index + 1);
  const c2 = count > 2 ? text.charCodeAt(index + 2) : ALPHABET_A;
  const c3 = count > 3 ? text.charCodeAt(index + 3) : ALPHABET_A;
  // Codes above 255 are outside the table; INVALID and WHITESPACE are >= 64.
  const s0 = DECODE[c0 & 0xff];
  const s1 = DECODE[c1 & 0xff];
  const s2 = DECODE[c2 & 0xff];
  const s3 = DECODE[c3 & 0xff];
  if ((c0 | c1 | c2 | c3) > 0xff || (s0 | s1 | s2 | s3) >= 64) throw notCorrectlyEncoded();
  return (s0 << 18) | (s1 << 12) | (s2 << 6) | s3;
}

// ---------------------------------------------------------------------------
// atob / btoa

/** Decodes base64 into a "binary string": one character (0-255) per byte. */
export function atob(data: string): string {
  if (arguments.length === 0) throw new TypeError("atob: 1 argument required, but only 0 present");
  return fromCharCodes(decodeBase64(toDOMString(data)));
}

/** Encodes a "binary string" (every character 0-255) as base64. */
export function btoa(data: string): string {
  if (arguments.length === 0) throw new TypeError("btoa: 1 argument required, but only 0 present");
  const text = toDOMString(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      throw invalidCharacter("The string to be encoded contains characters outside of the Latin1 range.");
    }
    bytes[i] = code;
  }
  return encodeBase64(bytes);
}
