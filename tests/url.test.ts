// URL and URLSearchParams (WHATWG URL). Expected values are what the spec (and Node 24) give.

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";

/** The URL after `part` is set to `value` on `href`. */
function afterSetting(href: string, part: string, value: unknown): string {
  const url = new URL(href);
  (url as unknown as Record<string, unknown>)[part] = value;
  return url.href;
}

const FULL = "https://user:pw@example.com:8443/p/q?s=1#h";

describe("URL parsing", () => {
  test("splits an absolute URL into its components", () => {
    const url = new URL("https://user:pass@example.com:8080/a/b?x=1&y=2#frag");
    expect(url.href).toBe("https://user:pass@example.com:8080/a/b?x=1&y=2#frag");
    expect(url.protocol).toBe("https:");
    expect(url.username).toBe("user");
    expect(url.password).toBe("pass");
    expect(url.host).toBe("example.com:8080");
    expect(url.hostname).toBe("example.com");
    expect(url.port).toBe("8080");
    expect(url.pathname).toBe("/a/b");
    expect(url.search).toBe("?x=1&y=2");
    expect(url.hash).toBe("#frag");
    expect(url.origin).toBe("https://example.com:8080");
  });

  test("absent components are empty strings", () => {
    const url = new URL("http://example.com");
    expect([url.username, url.password, url.port, url.search, url.hash]).toEqual(["", "", "", "", ""]);
  });

  test("an empty path becomes / for special schemes", () => {
    expect(new URL("http://example.com").pathname).toBe("/");
    expect(new URL("http://example.com").href).toBe("http://example.com/");
  });

  test("scheme and host are lower-cased", () => {
    expect(new URL("HTTP://Example.COM/Path").href).toBe("http://example.com/Path");
  });

  test("the default port of the scheme is dropped", () => {
    expect(new URL("http://a.com:80/").port).toBe("");
    expect(new URL("https://a.com:443/").host).toBe("a.com");
    expect(new URL("ws://a.com:80/").href).toBe("ws://a.com/");
    expect(new URL("wss://a.com:443/").href).toBe("wss://a.com/");
    expect(new URL("ftp://a.com:21/").href).toBe("ftp://a.com/");
  });

  test("a non-default port is kept", () => {
    expect(new URL("http://a.com:443/").port).toBe("443");
  });

  test("dot segments are resolved", () => {
    expect(new URL("https://h.com/a/../b/./c").pathname).toBe("/b/c");
  });

  test("leading and trailing spaces are trimmed, tabs and newlines removed", () => {
    expect(new URL("  http://a.com/  ").href).toBe("http://a.com/");
    expect(new URL("http://a.com/\t\nx").href).toBe("http://a.com/x");
  });

  test("backslashes count as slashes in special URLs", () => {
    expect(new URL("http://a.com\\x\\y").pathname).toBe("/x/y");
  });

  test("empty credentials are dropped", () => {
    expect(new URL("http://@a.com").href).toBe("http://a.com/");
    expect(new URL("http://:@a.com").href).toBe("http://a.com/");
  });

  test("the host is percent-decoded", () => {
    expect(new URL("http://%41.com").hostname).toBe("a.com");
  });

  test("IPv4 addresses in other notations are normalised", () => {
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://3232235777/").hostname).toBe("192.168.1.1");
    expect(new URL("http://0300.0250.0.1/").hostname).toBe("192.168.0.1");
  });

  test("accepts a URL object as input, and converts other objects with toString", () => {
    expect(new URL(new URL("http://a.com/x")).href).toBe("http://a.com/x");
    expect(new URL({ toString: () => "http://x/y" } as unknown as string).href).toBe("http://x/y");
  });

  test("non-special schemes keep an opaque path and have a null origin", () => {
    const url = new URL("mailto:someone@example.com");
    expect(url.protocol).toBe("mailto:");
    expect(url.host).toBe("");
    expect(url.pathname).toBe("someone@example.com");
    expect(url.origin).toBe("null");
  });

  test("non-special schemes may have a host", () => {
    const url = new URL("non-spec://host/path");
    expect(url.host).toBe("host");
    expect(url.pathname).toBe("/path");
    expect(url.origin).toBe("null");
  });

  test("data: and javascript: URLs parse", () => {
    expect(new URL("data:text/plain,hello").pathname).toBe("text/plain,hello");
    expect(new URL("javascript:alert(1)").pathname).toBe("alert(1)");
  });

  test("a blob: URL has the origin of the URL inside it", () => {
    expect(new URL("blob:https://a.com/uuid").origin).toBe("https://a.com");
  });
});

describe("URL with a base", () => {
  const base = "https://h.com/dir/file?old#h";

  test("an absolute path replaces the base path", () => {
    expect(new URL("/path?q", base).href).toBe("https://h.com/path?q");
  });

  test("a relative path resolves against the base directory", () => {
    expect(new URL("other", base).href).toBe("https://h.com/dir/other");
    expect(new URL("../up", "https://h.com/a/b/c").href).toBe("https://h.com/a/up");
  });

  test("a scheme-relative URL keeps the base scheme only", () => {
    expect(new URL("//other.org/x", base).href).toBe("https://other.org/x");
  });

  test("a query replaces the base query and drops its fragment", () => {
    expect(new URL("?q=1", base).href).toBe("https://h.com/dir/file?q=1");
  });

  test("a fragment replaces only the base fragment", () => {
    expect(new URL("#h2", base).href).toBe("https://h.com/dir/file?old#h2");
  });

  test("an empty input gives the base without its fragment", () => {
    expect(new URL("", base).href).toBe("https://h.com/dir/file?old");
  });

  test("an absolute input ignores the base", () => {
    expect(new URL("http://x.org/", base).href).toBe("http://x.org/");
  });

  test("the base may be a URL object", () => {
    expect(new URL("y", new URL("http://a.com/x/")).href).toBe("http://a.com/x/y");
  });

  test("an undefined base is the same as none", () => {
    expect(new URL("http://a.com/", undefined).href).toBe("http://a.com/");
  });
});

describe("invalid URLs", () => {
  test("throw a TypeError with code ERR_INVALID_URL", () => {
    const error = thrown(() => new URL("not a url"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe("ERR_INVALID_URL");
    expect(error.message).toMatch(/^Invalid URL/);
  });

  test("a relative URL without a base is invalid", () => {
    expect(() => new URL("foo")).toThrow(TypeError);
    expect(() => new URL("/path")).toThrow(TypeError);
  });

  test("an invalid base makes the URL invalid", () => {
    expect(thrown(() => new URL("x", "not a base")).code).toBe("ERR_INVALID_URL");
  });

  test("a special URL needs a host", () => {
    expect(() => new URL("http://")).toThrow(TypeError);
  });

  test("spaces and forbidden code points in a host are invalid", () => {
    expect(() => new URL("https://exa mple.com")).toThrow(TypeError);
    expect(() => new URL("http://a%00.com")).toThrow(TypeError);
  });

  test("ports beyond 65535 or not numeric are invalid", () => {
    expect(() => new URL("http://a.com:65536/")).toThrow(TypeError);
    expect(() => new URL("http://a.com:abc/")).toThrow(TypeError);
  });

  test("out-of-range IPv4 addresses are invalid", () => {
    expect(() => new URL("http://192.168.0.257/")).toThrow(TypeError);
    expect(() => new URL("http://999999999999/")).toThrow(TypeError);
  });

  test("unterminated IPv6 addresses are invalid", () => {
    expect(() => new URL("http://[::1/")).toThrow(TypeError);
    expect(() => new URL("http://[1::")).toThrow(TypeError);
  });
});

describe("URL.canParse and URL.parse", () => {
  test("canParse says whether the constructor would succeed", () => {
    expect(URL.canParse("http://x")).toBe(true);
    expect(URL.canParse("x")).toBe(false);
    expect(URL.canParse("x", "http://y/")).toBe(true);
    expect(URL.canParse("x", "bad")).toBe(false);
  });

  test("parse returns the URL, or null instead of throwing", () => {
    expect(URL.parse("x", "http://y/")?.href).toBe("http://y/x");
    expect(URL.parse("http://a.com/")).toBeInstanceOf(URL);
    expect(URL.parse("x")).toBeNull();
  });
});

describe("IPv6 hosts", () => {
  test("keep their brackets in host and hostname", () => {
    const url = new URL("http://[::1]:8080/");
    expect(url.hostname).toBe("[::1]");
    expect(url.host).toBe("[::1]:8080");
    expect(url.port).toBe("8080");
    expect(url.origin).toBe("http://[::1]:8080");
  });

  test("are serialized in their shortest form", () => {
    expect(new URL("http://[2001:db8::0:1]/").hostname).toBe("[2001:db8::1]");
    expect(new URL("http://[2001:DB8:0:0:0:0:0:1]/").hostname).toBe("[2001:db8::1]");
  });

  test("an embedded IPv4 address becomes hex", () => {
    expect(new URL("http://[::ffff:192.168.0.1]/").hostname).toBe("[::ffff:c0a8:1]");
  });
});

describe("internationalised domain names", () => {
  test("are converted to punycode", () => {
    expect(new URL("http://münchen.de/").hostname).toBe("xn--mnchen-3ya.de");
    expect(new URL("http://例え.テスト").hostname).toBe("xn--r8jz45g.xn--zckzah");
  });

  test("are case-folded before conversion", () => {
    expect(new URL("http://ÄÖÜ.com").hostname).toBe("xn--4ca0bs.com");
    expect(new URL("http://Ü.com").host).toBe("xn--tda.com");
  });

  test("keep ß (nontransitional processing)", () => {
    expect(new URL("http://faß.de/").hostname).toBe("xn--fa-hia.de");
  });

  test("punycode input is kept as it is", () => {
    expect(new URL("http://xn--mnchen-3ya.de/").hostname).toBe("xn--mnchen-3ya.de");
  });

  test("the origin uses the punycode host", () => {
    expect(new URL("https://münchen.de/").origin).toBe("https://xn--mnchen-3ya.de");
  });
});

describe("file: URLs", () => {
  test("have an empty host, the path, and a null origin", () => {
    const url = new URL("file:///home/user/a b.txt");
    expect(url.host).toBe("");
    expect(url.pathname).toBe("/home/user/a%20b.txt");
    expect(url.href).toBe("file:///home/user/a%20b.txt");
    expect(url.origin).toBe("null");
  });

  test("may have a host", () => {
    expect(new URL("file://host/share/x").host).toBe("host");
  });

  test("localhost becomes the empty host", () => {
    expect(new URL("file://localhost/etc").href).toBe("file:///etc");
  });

  test("file:/path gains the empty authority", () => {
    expect(new URL("file:/etc/passwd").href).toBe("file:///etc/passwd");
  });

  test("dot segments resolve, and relative URLs resolve against a file base", () => {
    expect(new URL("file:///tmp/x/../y").pathname).toBe("/tmp/y");
    expect(new URL("..", "file:///a/b/c").href).toBe("file:///a/");
    expect(new URL("/x", "file:///a/b").href).toBe("file:///x");
  });

  test("keep a Windows drive letter", () => {
    expect(new URL("file:///C:/x").pathname).toBe("/C:/x");
  });
});

describe("percent-encoding", () => {
  test("non-ASCII in path, query and fragment becomes UTF-8 percent-encoded", () => {
    expect(new URL("http://a/ä?ä#ä").href).toBe("http://a/%C3%A4?%C3%A4#%C3%A4");
    expect(new URL("http://日本.jp/パス").pathname).toBe("/%E3%83%91%E3%82%B9");
  });

  test("spaces are encoded as %20 in every component", () => {
    expect(new URL("https://user:pa ss@h.com/a b?x=1 2#frag ment").href)
      .toBe("https://user:pa%20ss@h.com/a%20b?x=1%202#frag%20ment");
  });

  test("existing percent-escapes are kept as they are, even invalid ones", () => {
    expect(new URL("http://a.com/%7Efoo/%zz").pathname).toBe("/%7Efoo/%zz");
    expect(new URL("http://a.com/a%2Fb").pathname).toBe("/a%2Fb");
    expect(new URL("http://a/?q=%zz").search).toBe("?q=%zz");
  });

  test("the path encodes { } ^ ` but not |", () => {
    expect(new URL("http://a/{}|^`").pathname).toBe("/%7B%7D|%5E%60");
  });

  test("^ stays in an opaque path", () => {
    expect(new URL("mailto:a^b").pathname).toBe("a^b");
  });

  test("the query encodes quotes and angle brackets; ' only in special URLs", () => {
    expect(new URL("http://a.com/?a='b'&c=\"d\"<>").search).toBe("?a=%27b%27&c=%22d%22%3C%3E");
    expect(new URL("foo://a/?'").search).toBe("?'");
  });

  test("the fragment encodes space, quote, angle brackets and backtick", () => {
    expect(new URL("http://a.com/#a b\"<>`").hash).toBe("#a%20b%22%3C%3E%60");
  });

  test("userinfo keeps its escapes", () => {
    const url = new URL("http://us%20er:p%40ss@h/");
    expect(url.username).toBe("us%20er");
    expect(url.password).toBe("p%40ss");
  });

  test("a lone surrogate becomes the encoded U+FFFD", () => {
    expect(new URL("http://a.com/\uD800").pathname).toBe("/%EF%BF%BD");
  });
});

describe("URL setters", () => {
  test("protocol changes between special schemes, with or without the colon", () => {
    expect(afterSetting(FULL, "protocol", "ftp")).toBe("ftp://user:pw@example.com:8443/p/q?s=1#h");
    expect(afterSetting(FULL, "protocol", "FTP:")).toBe("ftp://user:pw@example.com:8443/p/q?s=1#h");
  });

  test("protocol ignores what follows the colon", () => {
    expect(afterSetting(FULL, "protocol", "http:junk")).toBe("http://user:pw@example.com:8443/p/q?s=1#h");
  });

  test("protocol drops a port that becomes the default", () => {
    expect(afterSetting("http://a:443/", "protocol", "https")).toBe("https://a/");
    expect(afterSetting("http://a:81/", "protocol", "https")).toBe("https://a:81/");
  });

  test("protocol cannot switch between special and non-special schemes", () => {
    expect(afterSetting(FULL, "protocol", "mailto")).toBe(FULL);
    expect(afterSetting("mailto:x@y", "protocol", "http")).toBe("mailto:x@y");
  });

  test("protocol ignores an invalid scheme", () => {
    expect(afterSetting(FULL, "protocol", "1abc")).toBe(FULL);
    expect(afterSetting(FULL, "protocol", "b,c")).toBe(FULL);
  });

  test("protocol becomes file only without credentials and port", () => {
    expect(afterSetting(FULL, "protocol", "file")).toBe(FULL);
    expect(afterSetting("http://h:81/", "protocol", "file")).toBe("http://h:81/");
    expect(afterSetting("http://h/x?q#f", "protocol", "file")).toBe("file://h/x?q#f");
  });

  test("protocol cannot leave file when the host is empty", () => {
    expect(afterSetting("file:///a/b", "protocol", "http")).toBe("file:///a/b");
  });

  test("username and password are percent-encoded", () => {
    expect(afterSetting(FULL, "username", "us er@")).toBe("https://us%20er%40:pw@example.com:8443/p/q?s=1#h");
    expect(afterSetting(FULL, "password", "p:w@/")).toBe("https://user:p%3Aw%40%2F@example.com:8443/p/q?s=1#h");
  });

  test("an empty username keeps the password", () => {
    expect(afterSetting(FULL, "username", "")).toBe("https://:pw@example.com:8443/p/q?s=1#h");
  });

  test("password alone is written after an empty username", () => {
    expect(afterSetting("http://h/", "password", "p")).toBe("http://:p@h/");
  });

  test("credentials are ignored on URLs without a host and on file: URLs", () => {
    expect(afterSetting("mailto:x@y", "username", "u")).toBe("mailto:x@y");
    expect(afterSetting("file:///a/b", "username", "u")).toBe("file:///a/b");
    expect(afterSetting("file:///a/b", "password", "p")).toBe("file:///a/b");
  });

  test("host sets the hostname and, when given, the port", () => {
    expect(afterSetting(FULL, "host", "other.org:99")).toBe("https://user:pw@other.org:99/p/q?s=1#h");
    expect(afterSetting(FULL, "host", "other.org")).toBe("https://user:pw@other.org:8443/p/q?s=1#h");
  });

  test("host accepts an IPv6 address", () => {
    expect(afterSetting(FULL, "host", "[::1]:1")).toBe("https://user:pw@[::1]:1/p/q?s=1#h");
  });

  test("host ignores an empty or invalid value on a special URL", () => {
    expect(afterSetting(FULL, "host", "")).toBe(FULL);
    expect(afterSetting(FULL, "host", "a b")).toBe(FULL);
  });

  test("hostname ignores a port", () => {
    expect(afterSetting(FULL, "hostname", "new.host")).toBe("https://user:pw@new.host:8443/p/q?s=1#h");
    expect(afterSetting(FULL, "hostname", "new.host:99")).toBe(FULL);
  });

  test("hostname converts to punycode", () => {
    expect(new URL(afterSetting(FULL, "hostname", "münchen.de")).hostname).toBe("xn--mnchen-3ya.de");
  });

  test("host and hostname are ignored on an opaque-path URL", () => {
    expect(afterSetting("mailto:x@y", "host", "z")).toBe("mailto:x@y");
    expect(afterSetting("data:text/plain,x", "hostname", "z")).toBe("data:text/plain,x");
  });

  test("host can be set on a file: URL", () => {
    expect(afterSetting("file:///a/b", "host", "z")).toBe("file://z/a/b");
  });

  test("port accepts a number or numeric string", () => {
    expect(afterSetting(FULL, "port", "8080")).toBe("https://user:pw@example.com:8080/p/q?s=1#h");
    expect(afterSetting("http://h/", "port", 1)).toBe("http://h:1/");
    expect(afterSetting(FULL, "port", 0)).toBe("https://user:pw@example.com:0/p/q?s=1#h");
  });

  test("port set to the default or empty removes it", () => {
    expect(afterSetting(FULL, "port", "443")).toBe("https://user:pw@example.com/p/q?s=1#h");
    expect(afterSetting(FULL, "port", "")).toBe("https://user:pw@example.com/p/q?s=1#h");
  });

  test("port keeps the leading digits of a value", () => {
    expect(afterSetting(FULL, "port", "12abc")).toBe("https://user:pw@example.com:12/p/q?s=1#h");
    expect(afterSetting("http://a/", "port", 8.9)).toBe("http://a:8/");
  });

  test("port ignores non-numeric, negative and out-of-range values", () => {
    expect(afterSetting(FULL, "port", "abc")).toBe(FULL);
    expect(afterSetting(FULL, "port", "-1")).toBe(FULL);
    expect(afterSetting(FULL, "port", "99999")).toBe(FULL);
  });

  test("port is ignored on file: URLs", () => {
    expect(afterSetting("file:///a/b", "port", "1")).toBe("file:///a/b");
  });

  test("pathname percent-encodes, including ? and #", () => {
    expect(afterSetting(FULL, "pathname", "x y/%2F/ü")).toBe("https://user:pw@example.com:8443/x%20y/%2F/%C3%BC?s=1#h");
    expect(afterSetting(FULL, "pathname", "?#")).toBe("https://user:pw@example.com:8443/%3F%23?s=1#h");
  });

  test("pathname gains a leading slash on special URLs", () => {
    expect(afterSetting(FULL, "pathname", "no-slash")).toBe("https://user:pw@example.com:8443/no-slash?s=1#h");
    expect(afterSetting(FULL, "pathname", "")).toBe("https://user:pw@example.com:8443/?s=1#h");
  });

  test("pathname is ignored on an opaque-path URL", () => {
    expect(afterSetting("mailto:x@y", "pathname", "/new")).toBe("mailto:x@y");
  });

  test("search with or without ? sets the query", () => {
    expect(afterSetting(FULL, "search", "a=b c")).toBe("https://user:pw@example.com:8443/p/q?a=b%20c#h");
    expect(afterSetting(FULL, "search", "?x")).toBe("https://user:pw@example.com:8443/p/q?x#h");
  });

  test("search set to empty removes the query", () => {
    expect(afterSetting(FULL, "search", "")).toBe("https://user:pw@example.com:8443/p/q#h");
  });

  test("search set to ? leaves an empty query that the getter hides", () => {
    const url = new URL(FULL);
    url.search = "?";
    expect(url.href).toBe("https://user:pw@example.com:8443/p/q?#h");
    expect(url.search).toBe("");
  });

  test("search encodes #", () => {
    expect(afterSetting(FULL, "search", "#")).toBe("https://user:pw@example.com:8443/p/q?%23#h");
  });

  test("hash with or without # sets the fragment, percent-encoded", () => {
    expect(afterSetting(FULL, "hash", "h i")).toBe("https://user:pw@example.com:8443/p/q?s=1#h%20i");
    expect(afterSetting(FULL, "hash", "#x")).toBe("https://user:pw@example.com:8443/p/q?s=1#x");
  });

  test("hash set to empty removes the fragment", () => {
    expect(afterSetting(FULL, "hash", "")).toBe("https://user:pw@example.com:8443/p/q?s=1");
  });

  test("href replaces the whole URL", () => {
    const url = new URL(FULL);
    url.href = "http://replaced/";
    expect(url.host).toBe("replaced");
    expect(url.pathname).toBe("/");
  });

  test("href set to an invalid URL throws ERR_INVALID_URL and keeps the URL", () => {
    const url = new URL(FULL);
    const error = thrown(() => {
      url.href = "not a url";
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe("ERR_INVALID_URL");
    expect(url.href).toBe(FULL);
  });

  test("origin has no setter", () => {
    expect(Object.getOwnPropertyDescriptor(URL.prototype, "origin")?.set).toBeUndefined();
  });
});

describe("URL.searchParams", () => {
  test("reflects the query", () => {
    const params = new URL("http://a.com/?a=1&b=2&a=3").searchParams;
    expect([...params]).toEqual([["a", "1"], ["b", "2"], ["a", "3"]]);
    expect(params.getAll("a")).toEqual(["1", "3"]);
  });

  test("is the same object every time", () => {
    const url = new URL("http://a.com/?a=1");
    expect(url.searchParams).toBe(url.searchParams);
    expect(url.searchParams).toBeInstanceOf(URLSearchParams);
  });

  test("changing it updates search and href, form-encoded", () => {
    const url = new URL("http://a.com/?a=1#h");
    url.searchParams.append("c", "x y");
    expect(url.search).toBe("?a=1&c=x+y");
    expect(url.href).toBe("http://a.com/?a=1&c=x+y#h");
  });

  test("set encodes reserved characters", () => {
    const url = new URL("http://a/");
    url.searchParams.set("q", "a b&c");
    expect(url.search).toBe("?q=a+b%26c");
  });

  test("removing the last entry removes the ? too", () => {
    const url = new URL("http://a.com/?x#h");
    url.searchParams.delete("x");
    expect(url.href).toBe("http://a.com/#h");
    expect(url.search).toBe("");
  });

  test("sort rewrites the query in the serializer's encoding", () => {
    const url = new URL("http://a.com/?b=2&a=b%20c~");
    url.searchParams.sort();
    expect(url.href).toBe("http://a.com/?a=b+c%7E&b=2");
  });

  test("setting search updates it", () => {
    const url = new URL("http://a.com/?a=1");
    const params = url.searchParams;
    url.search = "?z=9";
    expect([...params]).toEqual([["z", "9"]]);
    url.search = "";
    expect(params.size).toBe(0);
  });

  test("setting href updates it", () => {
    const url = new URL("http://a.com/?a=1");
    const params = url.searchParams;
    url.href = "http://b.com/?q=r";
    expect([...params]).toEqual([["q", "r"]]);
  });

  test("setting other components leaves the query alone", () => {
    const url = new URL("http://a.com/?a=1");
    url.searchParams.get("a");
    url.hash = "x";
    url.pathname = "/p";
    url.searchParams.append("b", "2");
    expect(url.href).toBe("http://a.com/p?a=1&b=2#x");
  });

  test("decodes + and percent-escapes of the query", () => {
    const url = new URL("http://a/?q=%7E~+");
    expect(url.searchParams.get("q")).toBe("~~ ");
    expect(url.search).toBe("?q=%7E~+");
  });
});

describe("URL serialization", () => {
  test("toString and toJSON return href", () => {
    const url = new URL("http://a.com/p q");
    expect(url.toString()).toBe("http://a.com/p%20q");
    expect(url.toJSON()).toBe("http://a.com/p%20q");
    expect(`${url}`).toBe("http://a.com/p%20q");
  });

  test("JSON.stringify writes the href string", () => {
    expect(JSON.stringify({ u: new URL("http://a.com/p q") })).toBe('{"u":"http://a.com/p%20q"}');
  });

  test("Object.prototype.toString names the classes", () => {
    expect(Object.prototype.toString.call(new URL("http://a"))).toBe("[object URL]");
    expect(Object.prototype.toString.call(new URLSearchParams())).toBe("[object URLSearchParams]");
  });

  test("components are accessors on the prototype, not own properties", () => {
    expect(Object.keys(new URL("http://a/"))).toEqual([]);
    expect(typeof Object.getOwnPropertyDescriptor(URL.prototype, "href")?.set).toBe("function");
  });
});

describe("URLSearchParams constructor", () => {
  test("parses a query string", () => {
    expect([...new URLSearchParams("a=1&b=2")]).toEqual([["a", "1"], ["b", "2"]]);
  });

  test("drops one leading ?", () => {
    expect([...new URLSearchParams("?a=1")]).toEqual([["a", "1"]]);
    expect([...new URLSearchParams("??a=1")]).toEqual([["?a", "1"]]);
  });

  test("a name without = has an empty value", () => {
    expect([...new URLSearchParams("a")]).toEqual([["a", ""]]);
    expect([...new URLSearchParams("=b")]).toEqual([["", "b"]]);
  });

  test("empty pieces between & are skipped", () => {
    expect([...new URLSearchParams("&&a=1&&")]).toEqual([["a", "1"]]);
  });

  test("only the first = separates name from value", () => {
    expect(new URLSearchParams("a=b=c").get("a")).toBe("b=c");
  });

  test("; is not a separator", () => {
    expect(new URLSearchParams("a=1;b=2").get("a")).toBe("1;b=2");
  });

  test("+ decodes to a space and %2B to a plus", () => {
    expect([...new URLSearchParams("a+b=c+d&%20=%2B")]).toEqual([["a b", "c d"], [" ", "+"]]);
  });

  test("percent-escapes decode as UTF-8, in either case", () => {
    expect(new URLSearchParams("%E2%82%AC=%c3%a9").get("€")).toBe("é");
  });

  test("malformed % sequences are left as they are", () => {
    expect([...new URLSearchParams("%zz=%4&a=%")]).toEqual([["%zz", "%4"], ["a", "%"]]);
  });

  test("an incomplete UTF-8 sequence decodes to U+FFFD", () => {
    expect([...new URLSearchParams("%E2%82")]).toEqual([["\uFFFD", ""]]);
  });

  test("raw non-ASCII and spaces are kept", () => {
    expect([...new URLSearchParams("é=ü& a = b ")]).toEqual([["é", "ü"], [" a ", " b "]]);
  });

  test("takes a record", () => {
    expect([...new URLSearchParams({ a: "1", b: "2" })]).toEqual([["a", "1"], ["b", "2"]]);
  });

  test("takes a sequence of pairs, converting values to strings", () => {
    expect([...new URLSearchParams([["a", "1"], ["a", "2"]])]).toEqual([["a", "1"], ["a", "2"]]);
    expect([...new URLSearchParams([["a", 1] as unknown as [string, string]])]).toEqual([["a", "1"]]);
  });

  test("takes any iterable of pairs, such as a Map", () => {
    expect([...new URLSearchParams(new Map([["m", "n"]]))]).toEqual([["m", "n"]]);
  });

  test("copies another URLSearchParams", () => {
    const original = new URLSearchParams("x=y");
    const copy = new URLSearchParams(original);
    copy.append("z", "1");
    expect(copy.toString()).toBe("x=y&z=1");
    expect(original.toString()).toBe("x=y");
  });

  test("a pair that is not exactly two items throws a TypeError", () => {
    expect(() => new URLSearchParams([["a"]] as unknown as [string, string][])).toThrow(TypeError);
    expect(() => new URLSearchParams([["a", "b", "c"]] as unknown as [string, string][])).toThrow(TypeError);
  });

  test("a pair that is a string rather than a sequence throws a TypeError", () => {
    expect(() => new URLSearchParams(["ab"] as unknown as [string, string][])).toThrow(TypeError);
  });

  test("a non-callable Symbol.iterator throws a TypeError", () => {
    expect(() => new URLSearchParams({ [Symbol.iterator]: 1 } as unknown as string)).toThrow(TypeError);
  });

  test("no argument or undefined gives empty params", () => {
    expect(new URLSearchParams().size).toBe(0);
    expect(new URLSearchParams(undefined).toString()).toBe("");
  });

  test("other primitives are converted to strings", () => {
    expect(new URLSearchParams(null as unknown as string).toString()).toBe("null=");
    expect(new URLSearchParams(12 as unknown as string).toString()).toBe("12=");
  });
});

describe("URLSearchParams methods", () => {
  test("append adds at the end, keeping duplicates", () => {
    const params = new URLSearchParams("a=1");
    params.append("a", "2");
    params.append("b", "3");
    expect(params.toString()).toBe("a=1&a=2&b=3");
  });

  test("get returns the first value, or null", () => {
    const params = new URLSearchParams("a=1&a=2");
    expect(params.get("a")).toBe("1");
    expect(params.get("nope")).toBeNull();
  });

  test("getAll returns every value in order, or an empty array", () => {
    const params = new URLSearchParams("a=1&b=x&a=2");
    expect(params.getAll("a")).toEqual(["1", "2"]);
    expect(params.getAll("nope")).toEqual([]);
  });

  test("delete(name) removes every entry with that name", () => {
    const params = new URLSearchParams("a=1&b=2&a=3");
    params.delete("a");
    expect(params.toString()).toBe("b=2");
  });

  test("delete(name, value) removes only the matching entries", () => {
    const params = new URLSearchParams("a=1&b=2&a=3&a=1");
    params.delete("a", "1");
    expect(params.toString()).toBe("b=2&a=3");
  });

  test("has(name) and has(name, value)", () => {
    const params = new URLSearchParams("a=3&b=2");
    expect(params.has("a")).toBe(true);
    expect(params.has("c")).toBe(false);
    expect(params.has("a", "3")).toBe(true);
    expect(params.has("a", "1")).toBe(false);
  });

  test("has and delete with an undefined value ignore it", () => {
    const params = new URLSearchParams("b=2");
    expect(params.has("b", undefined)).toBe(true);
    params.delete("b", undefined);
    expect(params.size).toBe(0);
  });

  test("set replaces the first entry in place and removes the others", () => {
    const params = new URLSearchParams("a=1&b=2&a=3");
    params.set("a", "z");
    expect(params.toString()).toBe("a=z&b=2");
  });

  test("set appends when the name is new", () => {
    const params = new URLSearchParams("a=1");
    params.set("b", "2");
    expect(params.toString()).toBe("a=1&b=2");
  });

  test("sort orders by name and keeps the order of equal names", () => {
    const params = new URLSearchParams("z=1&a=2&z=0&b=3&a=1");
    params.sort();
    expect([...params]).toEqual([["a", "2"], ["a", "1"], ["b", "3"], ["z", "1"], ["z", "0"]]);
  });

  test("sort compares UTF-16 code units", () => {
    const params = new URLSearchParams([["\uFFFD", "x"], ["\u{1F600}", "y"], ["é", "q"]]);
    params.sort();
    expect([...params.keys()]).toEqual(["é", "\u{1F600}", "\uFFFD"]);
  });

  test("size counts entries, duplicates included", () => {
    expect(new URLSearchParams("a=1&a=2&b").size).toBe(3);
  });

  test("keys, values and entries iterate in order", () => {
    const params = new URLSearchParams("a=1&b=2");
    expect([...params.keys()]).toEqual(["a", "b"]);
    expect([...params.values()]).toEqual(["1", "2"]);
    expect([...params.entries()]).toEqual([["a", "1"], ["b", "2"]]);
  });

  test("the default iterator gives entries", () => {
    const seen: string[] = [];
    for (const [name, value] of new URLSearchParams("a=1&b=2")) seen.push(`${name}:${value}`);
    expect(seen).toEqual(["a:1", "b:2"]);
  });

  test("iteration is live: entries deleted during it are skipped, appended ones seen", () => {
    const params = new URLSearchParams("a=1&b=2&c=3");
    const seen: string[] = [];
    for (const [name] of params) {
      seen.push(name);
      if (name === "a") params.delete("b");
      if (name === "c") params.append("d", "4");
    }
    expect(seen).toEqual(["a", "c", "d"]);
  });

  test("forEach passes value, name and the params, with thisArg", () => {
    const params = new URLSearchParams("a=1&b=2");
    const seen: unknown[] = [];
    const context = { tag: "t" };
    params.forEach(function (this: typeof context, value, name, object) {
      seen.push([value, name, object === params, this.tag]);
    }, context);
    expect(seen).toEqual([["1", "a", true, "t"], ["2", "b", true, "t"]]);
  });

  test("forEach is live too", () => {
    const params = new URLSearchParams("a=1&b=2&c=3");
    const seen: string[] = [];
    params.forEach((_value, name) => {
      seen.push(name);
      if (name === "a") params.delete("b");
    });
    expect(seen).toEqual(["a", "c"]);
  });

  test("arguments are converted to strings", () => {
    const params = new URLSearchParams();
    params.append(1 as unknown as string, true as unknown as string);
    expect(params.get("1")).toBe("true");
  });
});

describe("URLSearchParams serialization", () => {
  test("space becomes +", () => {
    expect(new URLSearchParams({ a: "b c" }).toString()).toBe("a=b+c");
  });

  test("letters, digits and *-._ are kept", () => {
    expect(new URLSearchParams({ k: "aZ09*-._" }).toString()).toBe("k=aZ09*-._");
  });

  test("everything else is percent-encoded, upper-case hex", () => {
    expect(new URLSearchParams({ s: "~!'()+&=/?#\u0000" }).toString()).toBe("s=%7E%21%27%28%29%2B%26%3D%2F%3F%23%00");
  });

  test("non-ASCII is percent-encoded UTF-8", () => {
    expect(new URLSearchParams({ "é": "😀" }).toString()).toBe("%C3%A9=%F0%9F%98%80");
  });

  test("lone surrogates become U+FFFD, also in the entries", () => {
    const params = new URLSearchParams({ "\uD800": "\uDC00" });
    expect(params.toString()).toBe("%EF%BF%BD=%EF%BF%BD");
    expect([...params]).toEqual([["\uFFFD", "\uFFFD"]]);
    expect(params.get("\uFFFD")).toBe("\uFFFD");
  });

  test("empty params serialize to the empty string", () => {
    expect(new URLSearchParams("").toString()).toBe("");
  });

  test("parsing then serializing round-trips the entries", () => {
    const params = new URLSearchParams({ "a b": "c&d=e", "ü": "+%" });
    expect([...new URLSearchParams(params.toString())]).toEqual([...params]);
  });
});
