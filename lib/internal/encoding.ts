// TextEncoder and TextDecoder (WHATWG Encoding). UTF-8 and every label encoding_rs knows.
//
// Streaming (`decode(chunk, { stream: true })`) keeps an incomplete trailing character for
// the next call; that is exact for UTF-8 and UTF-16, the encodings streams carry in practice.

import ops from "uringy:ops";

const { op_text_encode, op_text_encode_into, op_text_decode, op_text_encoding_name } = ops;

export class TextEncoder {
  get encoding(): "utf-8" {
    return "utf-8";
  }

  encode(input: string = ""): Uint8Array {
    return new Uint8Array(op_text_encode(String(input)));
  }

  encodeInto(source: string, destination: Uint8Array): { read: number; written: number } {
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError("TextEncoder.encodeInto: destination must be a Uint8Array");
    }
    const [read, written] = op_text_encode_into(String(source), destination);
    return { read, written };
  }

  get [Symbol.toStringTag](): string {
    return "TextEncoder";
  }
}

type Bytes = ArrayBuffer | ArrayBufferView;

export class TextDecoder {
  #encoding: string;
  #fatal: boolean;
  #ignoreBOM: boolean;
  /** Bytes of a character split across stream chunks. */
  #pending: Uint8Array | undefined;
  /** Whether the stream is past its first bytes (only a leading BOM is removed). */
  #started = false;

  constructor(label: string = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const encoding = op_text_encoding_name(String(label));
    if (encoding === undefined || encoding === "replacement") {
      throw new RangeError(`The encoding label provided ('${label}') is invalid.`);
    }
    this.#encoding = encoding;
    this.#fatal = Boolean(options.fatal);
    this.#ignoreBOM = Boolean(options.ignoreBOM);
  }

  get encoding(): string {
    return this.#encoding;
  }
  get fatal(): boolean {
    return this.#fatal;
  }
  get ignoreBOM(): boolean {
    return this.#ignoreBOM;
  }

  decode(input?: Bytes, options: { stream?: boolean } = {}): string {
    // Only a missing input means "no bytes"; null is not a buffer.
    let bytes: Bytes = input === undefined ? new Uint8Array(0) : input;
    if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
      throw new TypeError("TextDecoder.decode: input must be an ArrayBuffer or an ArrayBufferView");
    }
    const stream = Boolean(options.stream);
    if (this.#pending !== undefined) {
      const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const joined = new Uint8Array(this.#pending.length + view.length);
      joined.set(this.#pending);
      joined.set(view, this.#pending.length);
      bytes = joined;
      this.#pending = undefined;
    }
    const stripBom = !this.#ignoreBOM && !this.#started;
    const [text, keep] = op_text_decode(bytes, this.#encoding, this.#fatal, stripBom, stream);
    const length = bytes.byteLength;
    if (keep > 0) {
      const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, length);
      this.#pending = view.slice(length - keep);
    }
    this.#started = stream && (length > keep || this.#started);
    return text;
  }

  get [Symbol.toStringTag](): string {
    return "TextDecoder";
  }
}
