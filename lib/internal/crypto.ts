// The `crypto` global: random values from the kernel (Web Crypto's getRandomValues and
// randomUUID; `subtle` is not provided).

import ops from "uringy:ops";

const { op_crypto_random_fill } = ops;

type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array
  | Uint32Array | BigInt64Array | BigUint64Array;

const integerArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array];

function getRandomValues<T extends IntegerArray>(array: T): T {
  // WebIDL rejects what is not an ArrayBufferView at all with a TypeError; the Web Crypto
  // spec rejects views of the wrong kind (floats, DataView) with a TypeMismatchError.
  if (!ArrayBuffer.isView(array)) {
    throw new TypeError("crypto.getRandomValues: the argument must be an integer-type TypedArray");
  }
  if (!integerArrays.some((type) => array instanceof type)) {
    throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  }
  if (array.byteLength > 65536) {
    throw new DOMException(
      `The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`,
      "QuotaExceededError",
    );
  }
  op_crypto_random_fill(array);
  return array;
}

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A version 4 UUID (RFC 9562), lower-case. */
function randomUUID(): string {
  const b = new Uint8Array(16);
  op_crypto_random_fill(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return `${hex[b[0]]}${hex[b[1]]}${hex[b[2]]}${hex[b[3]]}-${hex[b[4]]}${hex[b[5]]}-${hex[b[6]]}${hex[b[7]]}-` +
    `${hex[b[8]]}${hex[b[9]]}-${hex[b[10]]}${hex[b[11]]}${hex[b[12]]}${hex[b[13]]}${hex[b[14]]}${hex[b[15]]}`;
}

export const crypto = Object.defineProperty({ getRandomValues, randomUUID }, Symbol.toStringTag, { value: "Crypto" });
