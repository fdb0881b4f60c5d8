// atob/btoa (HTML standard, forgiving-base64): the engine's, with the argument WebIDL requires.

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";

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
