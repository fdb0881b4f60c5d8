// atob/btoa (HTML standard, forgiving-base64) and the byte helpers behind them.

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";
import {
  atob,
  btoa,
  encodeBase64,
  decodeBase64,
  encodeBase64Portable,
  decodeBase64Portable,
} from "uringy:internal/base64";
import { DOMException } from "uringy:internal/dom_exception";

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

describe("btoa", () => {
  test("encodes the RFC 4648 test vectors", () => {
    expect(btoa("")).toBe("");
    expect(btoa("f")).toBe("Zg==");
    expect(btoa("fo")).toBe("Zm8=");
    expect(btoa("foo")).toBe("Zm9v");
    expect(btoa("foob")).toBe("Zm9vYg==");
    expect(btoa("fooba")).toBe("Zm9vYmE=");
    expect(btoa("foobar")).toBe("Zm9vYmFy");
  });

  test("treats each character 0-255 as one byte", () => {
    expect(btoa("\u0000\u00ff\u00fe")).toBe("AP/+");
  });

  test("throws InvalidCharacterError for characters above U+00FF", () => {
    const error = thrown(() => btoa("\u0100"));
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe("InvalidCharacterError");
    expect(error.code).toBe(5);
  });

  test("converts its argument to a string", () => {
    expect(btoa(null as unknown as string)).toBe("bnVsbA==");
    expect(btoa(undefined as unknown as string)).toBe("dW5kZWZpbmVk");
    expect(btoa(12 as unknown as string)).toBe("MTI=");
  });

  test("requires an argument", () => {
    expect(() => (btoa as () => string)()).toThrow(TypeError);
  });

  test("throws a TypeError for a symbol", () => {
    expect(() => btoa(Symbol() as unknown as string)).toThrow(TypeError);
  });
});

describe("atob", () => {
  test("decodes the RFC 4648 test vectors", () => {
    expect(atob("")).toBe("");
    expect(atob("Zg==")).toBe("f");
    expect(atob("Zm8=")).toBe("fo");
    expect(atob("Zm9v")).toBe("foo");
    expect(atob("Zm9vYg==")).toBe("foob");
    expect(atob("Zm9vYmE=")).toBe("fooba");
    expect(atob("Zm9vYmFy")).toBe("foobar");
  });

  test("returns one character per byte, including bytes above 127", () => {
    expect(atob("AP/+")).toBe("\u0000\u00ff\u00fe");
  });

  test("accepts input without padding", () => {
    expect(atob("Zg")).toBe("f");
    expect(atob("Zm8")).toBe("fo");
  });

  test("ignores ASCII whitespace anywhere, including between padding characters", () => {
    expect(atob(" Z m\t9\nv\fY\rg = = ")).toBe("foob");
  });

  test("rejects whitespace that is not ASCII whitespace", () => {
    expect(thrown(() => atob("Zm9v\u000b")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("Zm9v\u00a0")).name).toBe("InvalidCharacterError");
  });

  test("ignores the unused low bits of the last character", () => {
    expect(atob("Zh==")).toBe("f");
    expect(atob("Zm9=")).toBe("fo");
  });

  test("rejects a length that leaves one character over", () => {
    expect(thrown(() => atob("Z")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("Zm9vY")).name).toBe("InvalidCharacterError");
  });

  test("rejects padding that does not complete a group of four", () => {
    expect(thrown(() => atob("Zg=")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("Zm9v=")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("Z===")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("====")).name).toBe("InvalidCharacterError");
  });

  test("rejects padding in the middle", () => {
    expect(thrown(() => atob("Zg==Zg==")).name).toBe("InvalidCharacterError");
    expect(thrown(() => atob("Z=g=")).name).toBe("InvalidCharacterError");
  });

  test("rejects characters outside the base64 alphabet", () => {
    for (const input of ["Zm9v!", "Zm-_", "Zm9v\u00e9", "Zm9v\u0100", "Zm9v\u0000"]) {
      const error = thrown(() => atob(input));
      expect(error).toBeInstanceOf(DOMException);
      expect(error.name).toBe("InvalidCharacterError");
    }
  });

  test("converts its argument to a string", () => {
    expect(atob(null as unknown as string)).toBe("\u009e\u00e9\u0065");
    expect(thrown(() => atob(undefined as unknown as string)).name).toBe("InvalidCharacterError");
  });

  test("requires an argument", () => {
    expect(() => (atob as () => string)()).toThrow(TypeError);
  });

  test("round-trips every byte value", () => {
    let all = "";
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    expect(atob(btoa(all))).toBe(all);
  });
});

describe("encodeBase64 / decodeBase64", () => {
  test("encodeBase64 encodes bytes with padding", () => {
    expect(encodeBase64(bytes())).toBe("");
    expect(encodeBase64(bytes(0xfb))).toBe("+w==");
    expect(encodeBase64(bytes(0xfb, 0xff))).toBe("+/8=");
    expect(encodeBase64(bytes(0xfb, 0xff, 0xbf))).toBe("+/+/");
  });

  test("decodeBase64 returns a Uint8Array of the bytes", () => {
    const decoded = decodeBase64("+/+/AA==");
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(Array.from(decoded)).toEqual([0xfb, 0xff, 0xbf, 0]);
  });

  test("decodeBase64 throws InvalidCharacterError on bad input", () => {
    expect(thrown(() => decodeBase64("ab$c")).name).toBe("InvalidCharacterError");
  });

  test("encodeBase64 encodes only the bytes a subarray views", () => {
    const whole = bytes(1, 2, 3, 4, 5, 6);
    expect(encodeBase64(whole.subarray(3))).toBe(encodeBase64(bytes(4, 5, 6)));
  });

  test("a large buffer round-trips", () => {
    const data = new Uint8Array(300_002);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    const encoded = encodeBase64(data);
    expect(encoded).toHaveLength(400_004);
    const decoded = decodeBase64(encoded);
    expect(decoded).toHaveLength(data.length);
    let same = true;
    for (let i = 0; i < data.length && same; i++) same = decoded[i] === data[i];
    expect(same).toBe(true);
  });
});

// The plain-JavaScript versions, used when the engine lacks Uint8Array's
// base64 methods, must behave exactly like the dispatching ones.
describe("portable encoder and decoder", () => {
  test("encodeBase64Portable matches encodeBase64 for every length up to 64", () => {
    for (let length = 0; length <= 64; length++) {
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = (i * 37 + length) & 0xff;
      expect(encodeBase64Portable(data)).toBe(encodeBase64(data));
    }
  });

  test("encodeBase64Portable handles inputs longer than one string-building chunk", () => {
    const data = new Uint8Array(100_000);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    expect(encodeBase64Portable(data)).toBe(encodeBase64(data));
  });

  test("decodeBase64Portable accepts and rejects the same inputs as decodeBase64", () => {
    const inputs = [
      "", "Zg", "Zg=", "Zg==", "Zh==", "Zm8", "Zm8=", "Zm9v", "Z", "Z===", "====", "=",
      " Zm 9v ", "Zg = =", "Zm9v\u000b", "Zm9v\u00a0", "Zm9v\u0100", "Zg==Zg==", "+/+/", "-_",
    ];
    for (const input of inputs) {
      let expected: string;
      try {
        expected = Array.from(decodeBase64(input)).join(",");
      } catch (error) {
        expected = (error as Error).name;
      }
      let actual: string;
      try {
        actual = Array.from(decodeBase64Portable(input)).join(",");
      } catch (error) {
        actual = (error as Error).name;
      }
      expect(`${JSON.stringify(input)} -> ${actual}`).toBe(`${JSON.stringify(input)} -> ${expected}`);
    }
  });
});

test("atob of valid input near the stack limit throws RangeError, not InvalidCharacterError", () => {
  const kinds = new Set<string>();
  const deep = (): void => {
    try {
      deep();
    } catch {
      try {
        atob("aGk=");
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
  expect([...kinds].filter((k) => k !== "RangeError")).toEqual([]);
});
