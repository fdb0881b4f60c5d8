// TextEncoder and TextDecoder (WHATWG Encoding). Expected values are what the spec (and Node 24) give.

import { test, expect, describe } from "uringy:test";

const bytes = (...values: number[]) => new Uint8Array(values);
const EURO = [0xe2, 0x82, 0xac];
const GRINNING = [0xf0, 0x9f, 0x98, 0x80]; // U+1F600, a surrogate pair in UTF-16

describe("TextEncoder", () => {
  test("encoding is utf-8", () => {
    expect(new TextEncoder().encoding).toBe("utf-8");
  });

  test("encode gives the UTF-8 bytes as a Uint8Array", () => {
    const encoded = new TextEncoder().encode("aé€😀");
    expect(encoded).toBeInstanceOf(Uint8Array);
    expect([...encoded]).toEqual([0x61, 0xc3, 0xa9, ...EURO, ...GRINNING]);
  });

  test("encode with no argument or undefined gives no bytes", () => {
    expect(new TextEncoder().encode().length).toBe(0);
    expect(new TextEncoder().encode(undefined).length).toBe(0);
  });

  test("encode converts other values to strings", () => {
    expect([...new TextEncoder().encode(12 as unknown as string)]).toEqual([0x31, 0x32]);
    expect([...new TextEncoder().encode(null as unknown as string)]).toEqual([0x6e, 0x75, 0x6c, 0x6c]);
  });

  test("encode turns lone surrogates into U+FFFD", () => {
    const encoder = new TextEncoder();
    expect([...encoder.encode("a\uD800b")]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
    expect([...encoder.encode("\uDC00")]).toEqual([0xef, 0xbf, 0xbd]);
    expect([...encoder.encode("\uDE00\uD83D")]).toEqual([0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
  });

  test("encode keeps U+0000", () => {
    expect([...new TextEncoder().encode("a\0b")]).toEqual([0x61, 0, 0x62]);
  });

  test("Object.prototype.toString names it", () => {
    expect(Object.prototype.toString.call(new TextEncoder())).toBe("[object TextEncoder]");
  });
});

describe("TextEncoder.encodeInto", () => {
  /** The result of encoding `text` into a fresh buffer of `size` bytes, and the buffer. */
  function into(text: string, size: number): [{ read: number; written: number }, number[]] {
    const destination = new Uint8Array(size);
    const result = new TextEncoder().encodeInto(text, destination);
    return [result, [...destination]];
  }

  test("writes everything when it fits, leaving the rest of the buffer", () => {
    expect(into("abc", 5)).toEqual([{ read: 3, written: 3 }, [0x61, 0x62, 0x63, 0, 0]]);
  });

  test("stops before a character that does not fit whole", () => {
    expect(into("aé€", 2)).toEqual([{ read: 1, written: 1 }, [0x61, 0]]);
    expect(into("aé€", 5)).toEqual([{ read: 2, written: 3 }, [0x61, 0xc3, 0xa9, 0, 0]]);
  });

  test("read counts UTF-16 code units: 2 for a surrogate pair", () => {
    expect(into("a😀", 5)).toEqual([{ read: 3, written: 5 }, [0x61, ...GRINNING]]);
  });

  test("a surrogate pair that does not fit is not split", () => {
    expect(into("😀", 3)).toEqual([{ read: 0, written: 0 }, [0, 0, 0]]);
    expect(into("a😀", 4)).toEqual([{ read: 1, written: 1 }, [0x61, 0, 0, 0]]);
  });

  test("a zero-length buffer reads and writes nothing", () => {
    expect(into("abc", 0)).toEqual([{ read: 0, written: 0 }, []]);
  });

  test("a lone surrogate is written as U+FFFD and read as one unit", () => {
    expect(into("\uD800x", 4)).toEqual([{ read: 2, written: 4 }, [0xef, 0xbf, 0xbd, 0x78]]);
    expect(into("\uD800x", 2)).toEqual([{ read: 0, written: 0 }, [0, 0]]);
  });

  test("writes at the start of a subarray, not of its buffer", () => {
    const buffer = new Uint8Array(8);
    expect(new TextEncoder().encodeInto("hey", buffer.subarray(4))).toEqual({ read: 3, written: 3 });
    expect([...buffer]).toEqual([0, 0, 0, 0, 0x68, 0x65, 0x79, 0]);
  });

  test("a destination that is not a Uint8Array throws a TypeError", () => {
    const encoder = new TextEncoder();
    expect(() => encoder.encodeInto("a", new Uint16Array(2) as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => encoder.encodeInto("a", [] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe("TextDecoder construction", () => {
  test("defaults to utf-8, not fatal, BOM not ignored", () => {
    const decoder = new TextDecoder();
    expect(decoder.encoding).toBe("utf-8");
    expect(decoder.fatal).toBe(false);
    expect(decoder.ignoreBOM).toBe(false);
  });

  test("an undefined label means utf-8", () => {
    expect(new TextDecoder(undefined).encoding).toBe("utf-8");
  });

  test("labels are case-insensitive aliases of a canonical name", () => {
    expect(new TextDecoder("utf8").encoding).toBe("utf-8");
    expect(new TextDecoder("UTF-8").encoding).toBe("utf-8");
    expect(new TextDecoder("unicode-1-1-utf-8").encoding).toBe("utf-8");
    expect(new TextDecoder("UTF-16LE").encoding).toBe("utf-16le");
    expect(new TextDecoder("utf-16").encoding).toBe("utf-16le");
    expect(new TextDecoder("utf-16be").encoding).toBe("utf-16be");
    expect(new TextDecoder("shift_jis").encoding).toBe("shift_jis");
  });

  test("latin1, ascii and iso-8859-1 all mean windows-1252", () => {
    expect(new TextDecoder("latin1").encoding).toBe("windows-1252");
    expect(new TextDecoder("ascii").encoding).toBe("windows-1252");
    expect(new TextDecoder("iso-8859-1").encoding).toBe("windows-1252");
  });

  test("ASCII whitespace around the label is ignored, other whitespace is not", () => {
    expect(new TextDecoder(" \tutf-8\n\f").encoding).toBe("utf-8");
    expect(() => new TextDecoder("\u00A0utf-8")).toThrow(RangeError);
  });

  test("an unknown label throws a RangeError", () => {
    expect(() => new TextDecoder("foo")).toThrow(RangeError);
    expect(() => new TextDecoder("")).toThrow(RangeError);
    expect(() => new TextDecoder("utf-32")).toThrow(RangeError);
  });

  test("labels of the replacement encoding throw a RangeError", () => {
    expect(() => new TextDecoder("replacement")).toThrow(RangeError);
    expect(() => new TextDecoder("iso-2022-kr")).toThrow(RangeError);
  });

  test("fatal and ignoreBOM options are converted to booleans", () => {
    const decoder = new TextDecoder("utf-8", { fatal: 1, ignoreBOM: "yes" } as unknown as TextDecoderOptions);
    expect(decoder.fatal).toBe(true);
    expect(decoder.ignoreBOM).toBe(true);
  });

  test("Object.prototype.toString names it", () => {
    expect(Object.prototype.toString.call(new TextDecoder())).toBe("[object TextDecoder]");
  });
});

describe("TextDecoder.decode", () => {
  test("decodes UTF-8", () => {
    expect(new TextDecoder().decode(bytes(0x61, 0xc3, 0xa9, ...EURO, ...GRINNING))).toBe("aé€😀");
  });

  test("no input or undefined decodes to the empty string", () => {
    expect(new TextDecoder().decode()).toBe("");
    expect(new TextDecoder().decode(undefined)).toBe("");
  });

  test("input that is not a buffer or view throws a TypeError", () => {
    const decoder = new TextDecoder();
    expect(() => decoder.decode("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decoder.decode([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decoder.decode(null as unknown as Uint8Array)).toThrow(TypeError);
  });

  test("invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0x61, 0xff, 0x62))).toBe("a\uFFFDb");
    expect(decoder.decode(bytes(0xe2, 0x82, 0x41))).toBe("\uFFFDA");
    expect(decoder.decode(bytes(0xed, 0xa0, 0x80))).toBe("\uFFFD\uFFFD\uFFFD");
  });

  test("a truncated sequence at the end becomes one U+FFFD", () => {
    expect(new TextDecoder().decode(bytes(0xf0, 0x9f, 0x98))).toBe("\uFFFD");
  });

  test("windows-1252 maps 0x80-0x9F to its own characters", () => {
    expect(new TextDecoder("latin1").decode(bytes(0x80, 0xe9, 0x41, 0x9f))).toBe("€éAŸ");
  });

  test("decodes UTF-16LE and UTF-16BE, surrogate pairs included", () => {
    expect(new TextDecoder("utf-16le").decode(bytes(0x41, 0, 0x3d, 0xd8, 0, 0xde))).toBe("A😀");
    expect(new TextDecoder("utf-16be").decode(bytes(0, 0x41, 0xd8, 0x3d, 0xde, 0))).toBe("A😀");
  });

  test("a trailing odd byte in UTF-16 becomes U+FFFD", () => {
    expect(new TextDecoder("utf-16le").decode(bytes(0x41, 0, 0x42))).toBe("A\uFFFD");
  });

  test("decodes Shift_JIS", () => {
    expect(new TextDecoder("shift_jis").decode(bytes(0x82, 0xa0))).toBe("あ");
  });
});

describe("TextDecoder fatal mode", () => {
  test("invalid UTF-8 throws a TypeError", () => {
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes(0xff))).toThrow(TypeError);
  });

  test("a truncated sequence at the end throws", () => {
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes(0xe2, 0x82))).toThrow(TypeError);
  });

  test("a lone UTF-16 surrogate throws", () => {
    expect(() => new TextDecoder("utf-16le", { fatal: true }).decode(bytes(0x00, 0xdc))).toThrow(TypeError);
  });

  test("valid input decodes normally", () => {
    expect(new TextDecoder("utf-8", { fatal: true }).decode(bytes(0x61, ...EURO))).toBe("a€");
  });

  test("the decoder is usable again after an error", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    expect(() => decoder.decode(bytes(0xff))).toThrow(TypeError);
    expect(decoder.decode(bytes(0x61))).toBe("a");
  });
});

describe("TextDecoder BOM handling", () => {
  test("a leading UTF-8 BOM is removed", () => {
    expect(new TextDecoder().decode(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe("a");
  });

  test("only the first BOM is removed", () => {
    expect(new TextDecoder().decode(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61))).toBe("\uFEFFa");
  });

  test("ignoreBOM keeps it", () => {
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe("\uFEFFa");
  });

  test("the UTF-16 BOM of the decoder's byte order is removed", () => {
    expect(new TextDecoder("utf-16le").decode(bytes(0xff, 0xfe, 0x41, 0))).toBe("A");
    expect(new TextDecoder("utf-16be").decode(bytes(0xfe, 0xff, 0, 0x41))).toBe("A");
    expect(new TextDecoder("utf-16le", { ignoreBOM: true }).decode(bytes(0xff, 0xfe, 0x41, 0))).toBe("\uFEFFA");
  });

  test("a BOM of another encoding does not switch the decoder", () => {
    expect(new TextDecoder("utf-16le").decode(bytes(0xfe, 0xff, 0x41, 0))).toBe("\uFFFEA");
    expect(new TextDecoder("utf-8").decode(bytes(0xff, 0xfe, 0x41))).toBe("\uFFFD\uFFFDA");
  });

  test("each non-streaming call starts a new stream, so its BOM is removed too", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe("a");
    expect(decoder.decode(bytes(0xef, 0xbb, 0xbf, 0x62))).toBe("b");
  });
});

describe("TextDecoder streaming", () => {
  test("a UTF-8 character split over three chunks comes out whole", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(EURO[0]), { stream: true })).toBe("");
    expect(decoder.decode(bytes(EURO[1]), { stream: true })).toBe("");
    expect(decoder.decode(bytes(EURO[2]), { stream: true })).toBe("€");
    expect(decoder.decode()).toBe("");
  });

  test("a four-byte character split after its second byte comes out whole", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0x61, ...GRINNING.slice(0, 2)), { stream: true })).toBe("a");
    expect(decoder.decode(bytes(...GRINNING.slice(2)), { stream: true })).toBe("😀");
  });

  test("a character left incomplete when the stream ends becomes U+FFFD", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0x61, 0xe2, 0x82), { stream: true })).toBe("a");
    expect(decoder.decode()).toBe("\uFFFD");
  });

  test("in fatal mode, an incomplete character at the end of the stream throws", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    expect(decoder.decode(bytes(0xe2), { stream: true })).toBe("");
    expect(() => decoder.decode()).toThrow(TypeError);
  });

  test("a byte sequence that cannot become valid is replaced at once, not held back", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0xe0, 0x80), { stream: true })).toBe("\uFFFD\uFFFD");
    expect(decoder.decode(bytes(0xed, 0xa0), { stream: true })).toBe("\uFFFD\uFFFD");
    expect(decoder.decode(bytes(0xf4, 0x90), { stream: true })).toBe("\uFFFD\uFFFD");
    expect(decoder.decode(bytes(0x61, 0xf8), { stream: true })).toBe("a\uFFFD");
    expect(decoder.decode()).toBe("");
  });

  test("an invalid continuation ends the held-back character", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0xe2, 0x41), { stream: true })).toBe("\uFFFDA");
    expect(decoder.decode(bytes(0x80), { stream: true })).toBe("\uFFFD");
  });

  test("the decoder can be reused after the stream ends", () => {
    const decoder = new TextDecoder();
    decoder.decode(bytes(0xe2), { stream: true });
    decoder.decode();
    expect(decoder.decode(bytes(0x62))).toBe("b");
  });

  test("a BOM split across chunks is still removed", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0xef, 0xbb), { stream: true })).toBe("");
    expect(decoder.decode(bytes(0xbf, 0x61), { stream: true })).toBe("a");
  });

  test("a BOM in a later chunk is kept", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(0x61), { stream: true })).toBe("a");
    expect(decoder.decode(bytes(0xef, 0xbb, 0xbf), { stream: true })).toBe("\uFEFF");
  });

  test("an empty first chunk does not count as the start", () => {
    const decoder = new TextDecoder();
    expect(decoder.decode(bytes(), { stream: true })).toBe("");
    expect(decoder.decode(bytes(0xef, 0xbb, 0xbf, 0x64), { stream: true })).toBe("d");
  });

  test("a UTF-16 surrogate pair split at every byte comes out whole", () => {
    const decoder = new TextDecoder("utf-16le");
    const data = bytes(0x3d, 0xd8, 0x00, 0xde, 0x41, 0x00);
    expect(decoder.decode(data.subarray(0, 1), { stream: true })).toBe("");
    expect(decoder.decode(data.subarray(1, 3), { stream: true })).toBe("");
    expect(decoder.decode(data.subarray(3, 5), { stream: true })).toBe("😀");
    expect(decoder.decode(data.subarray(5), { stream: true })).toBe("A");
    expect(decoder.decode()).toBe("");
  });

  test("UTF-16BE streams too", () => {
    const decoder = new TextDecoder("utf-16be");
    expect(decoder.decode(bytes(0xd8, 0x3d, 0xde), { stream: true })).toBe("");
    expect(decoder.decode(bytes(0x00), { stream: true })).toBe("😀");
  });

  test("a UTF-16 high surrogate or odd byte left at the end becomes U+FFFD", () => {
    const surrogate = new TextDecoder("utf-16le");
    expect(surrogate.decode(bytes(0x41, 0, 0x3d, 0xd8), { stream: true })).toBe("A");
    expect(surrogate.decode()).toBe("\uFFFD");
    const odd = new TextDecoder("utf-16le");
    expect(odd.decode(bytes(0x41, 0, 0x42), { stream: true })).toBe("A");
    expect(odd.decode()).toBe("\uFFFD");
  });

  test("single-byte encodings decode each chunk at once", () => {
    const decoder = new TextDecoder("latin1");
    expect(decoder.decode(bytes(0xe9), { stream: true })).toBe("é");
  });
});

describe("TextDecoder input views", () => {
  const buffer = new Uint8Array([0x78, 0x61, 0x62, 0x63, 0x79]).buffer;

  test("decodes a whole ArrayBuffer", () => {
    expect(new TextDecoder().decode(buffer)).toBe("xabcy");
  });

  test("decodes only the bytes a DataView covers", () => {
    expect(new TextDecoder().decode(new DataView(buffer, 1, 3))).toBe("abc");
  });

  test("decodes only the bytes of a view with an offset", () => {
    expect(new TextDecoder().decode(new Uint8Array(buffer, 2, 2))).toBe("bc");
    expect(new TextDecoder().decode(new Uint8Array(buffer).subarray(3))).toBe("cy");
  });

  test("decodes the bytes of other typed arrays", () => {
    expect(new TextDecoder().decode(new Uint16Array([0x6261]))).toBe("ab");
    expect(new TextDecoder().decode(new Int8Array([0x61]))).toBe("a");
  });

  test("a streamed character may be split between views of different buffers", () => {
    const decoder = new TextDecoder();
    const first = new Uint8Array([0x20, EURO[0], EURO[1]]).subarray(1);
    const second = new DataView(new Uint8Array([0, EURO[2], 0x21]).buffer, 1);
    expect(decoder.decode(first, { stream: true })).toBe("");
    expect(decoder.decode(second, { stream: true })).toBe("€!");
  });
});

describe("round trips", () => {
  test("encode then decode gives back any well-formed string", () => {
    const text = "plain ASCII, Ελληνικά, 日本語, emoji 😀👍🏽, NUL \0 end";
    expect(new TextDecoder().decode(new TextEncoder().encode(text))).toBe(text);
  });
});

describe("near the stack limit", () => {
  test("decode and encode of valid input throw RangeError there, never TypeError", () => {
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const bytes = new Uint8Array([104, 105]);
    const kinds = new Set<string>();
    const deep = (): void => {
      try {
        deep();
      } catch {
        try {
          decoder.decode(bytes);
          encoder.encode("hi");
          decoder.decode(new DataView(bytes.buffer));
        } catch (e) {
          kinds.add((e as Error).name);
          throw e;
        }
      }
    };
    try {
      deep();
    } catch {
      // the outermost frame's RangeError
    }
    expect([...kinds]).toEqual(["RangeError"]);
  });
});
