// The hostname resolver (lib/internal/dns.ts), against a fake ResolverIo: hand-built DNS
// replies, including the hostile ones (pointer loops, truncation, wrong ids).

import { test, expect, describe } from "uringy:test";
import { thrown } from "./helpers.ts";
import {
  parseIp,
  formatIp,
  parseHosts,
  parseResolvConf,
  encodeQuery,
  parseResponse,
  resolve,
} from "uringy:internal/dns";
import type { ResolverIo } from "uringy:internal/dns";

// ---------------------------------------------------------------------------
// Building DNS messages by hand

const A = 1;
const NS = 2;
const CNAME = 5;
const TXT = 16;
const AAAA = 28;

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

/** An uncompressed name: length-prefixed labels and the root. */
function name(text: string): number[] {
  const out: number[] = [];
  for (const label of text.split(".").filter((l) => l !== "")) {
    out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

/** A compression pointer to `offset`. */
function ptr(offset: number): number[] {
  return [0xc0 | (offset >> 8), offset & 0xff];
}

/** The question at offset 12, where every query and reply built here puts it. */
const QNAME = ptr(12);

function record(owner: number[], type: number, data: number[], klass = 1): number[] {
  return [...owner, ...u16(type), ...u16(klass), 0, 0, 0x0e, 0x10, ...u16(data.length), ...data];
}

function ipv4(text: string): number[] {
  return Array.from(parseIp(text)!.bytes);
}

function ipv6(text: string): number[] {
  return Array.from(parseIp(text)!.bytes);
}

interface Message {
  id: number;
  flags?: number; // default: a response, RD and RA, rcode 0
  rcode?: number;
  question?: number[] | null; // name, type and class bytes; null: none
  answers?: number[][];
  answerCount?: number; // overrides answers.length
}

function message(m: Message): Uint8Array {
  const flags = (m.flags ?? 0x8180) | (m.rcode ?? 0);
  const answers = m.answers ?? [];
  const question = m.question === null ? [] : m.question!;
  return new Uint8Array([
    ...u16(m.id),
    ...u16(flags),
    ...u16(m.question === null ? 0 : 1),
    ...u16(m.answerCount ?? answers.length),
    0, 0, 0, 0,
    ...question,
    ...answers.flat(),
  ]);
}

function question(host: string, type: number): number[] {
  return [...name(host), ...u16(type), ...u16(1)];
}

interface Query {
  host: string;
  port: number;
  timeoutMs: number;
  id: number;
  name: string;
  type: number;
  /** The question section, to echo back. */
  question: number[];
}

/** Decodes a query as a server would (uncompressed, as queries are). */
function decodeQuery(packet: Uint8Array): { id: number; flags: number; name: string; type: number; question: number[] } {
  const labels: string[] = [];
  let offset = 12;
  while (packet[offset] !== 0) {
    const length = packet[offset];
    labels.push(String.fromCharCode(...packet.subarray(offset + 1, offset + 1 + length)));
    offset += 1 + length;
  }
  const end = offset + 5;
  expect(end).toBe(packet.length);
  return {
    id: (packet[0] << 8) | packet[1],
    flags: (packet[2] << 8) | packet[3],
    name: labels.join("."),
    type: (packet[offset + 1] << 8) | packet[offset + 2],
    question: Array.from(packet.subarray(12, end)),
  };
}

/** A reply to `q` echoing its id and question. */
function reply(q: Query, answers: number[][] = [], rest: Partial<Message> = {}): Uint8Array {
  return message({ id: q.id, question: q.question, answers, ...rest });
}

type Server = (q: Query) => Uint8Array | null;

/** A fake ResolverIo with the given files; every query goes to `server` and is recorded. */
function fakeIo(files: Record<string, string>, server: Server): ResolverIo & { queries: Query[]; reads: string[] } {
  const queries: Query[] = [];
  const reads: string[] = [];
  return {
    queries,
    reads,
    readFile(path: string): string | null {
      reads.push(path);
      return files[path] ?? null;
    },
    query(host: string, port: number, packet: Uint8Array, timeoutMs: number): Uint8Array | null {
      const decoded = decodeQuery(packet);
      expect(decoded.flags).toBe(0x0100);
      const q = { host, port, timeoutMs, ...decoded };
      queries.push(q);
      return server(q);
    },
  };
}

/** An io that fails the test if it is used at all. */
const noIo: ResolverIo = {
  readFile(path) {
    throw new Error(`unexpected read of ${path}`);
  },
  query(host) {
    throw new Error(`unexpected query to ${host}`);
  },
};

/** A server knowing a few names; anything else is NXDOMAIN. */
function zone(records: Record<string, { a?: string[]; aaaa?: string[]; cname?: string }>): Server {
  return (q) => {
    const answers: number[][] = [];
    let owner = QNAME;
    let current = q.name.toLowerCase();
    let offset = 12 + q.question.length; // where the next answer starts
    for (let hops = 0; hops < 10; hops++) {
      const entry = records[current];
      if (!entry) return answers.length ? reply(q, answers) : reply(q, [], { rcode: 3 });
      if (entry.cname) {
        const cname = record(owner, CNAME, name(entry.cname));
        answers.push(cname);
        owner = ptr(offset + cname.length - name(entry.cname).length);
        offset += cname.length;
        current = entry.cname;
        continue;
      }
      const list = q.type === A ? entry.a ?? [] : entry.aaaa ?? [];
      for (const address of list) answers.push(record(owner, q.type, q.type === A ? ipv4(address) : ipv6(address)));
      return reply(q, answers);
    }
    throw new Error("CNAME loop in the test zone");
  };
}

const CONF = "nameserver 10.0.0.1\nnameserver 10.0.0.2\n";

// ---------------------------------------------------------------------------

describe("parseIp", () => {
  test("parses dotted-quad IPv4", () => {
    expect(parseIp("1.2.3.4")).toEqual({ family: 4, bytes: new Uint8Array([1, 2, 3, 4]) });
    expect(parseIp("0.0.0.0")!.bytes).toEqual(new Uint8Array([0, 0, 0, 0]));
    expect(parseIp("255.255.255.255")!.bytes).toEqual(new Uint8Array([255, 255, 255, 255]));
    expect(parseIp("10.0.100.1")!.bytes).toEqual(new Uint8Array([10, 0, 100, 1]));
  });

  test("rejects anything but four decimal octets without leading zeros", () => {
    for (const text of [
      "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "127.1", "01.2.3.4", "1.2.3.04", "1.2.3.00",
      "0x1.2.3.4", "1.2.3.-4", "+1.2.3.4", "1e2.1.1.1", " 1.2.3.4", "1.2.3.4 ", "1..3.4", "1.2.3.4.",
      "", "1.2.3.4/8", "1.2.3.4:80", "１.2.3.4",
    ]) {
      expect([text, parseIp(text)]).toEqual([text, null]);
    }
  });

  test("parses full and compressed IPv6", () => {
    const loopback = new Uint8Array(16);
    loopback[15] = 1;
    expect(parseIp("::1")).toEqual({ family: 6, bytes: loopback });
    expect(parseIp("0:0:0:0:0:0:0:1")!.bytes).toEqual(loopback);
    expect(parseIp("::")!.bytes).toEqual(new Uint8Array(16));
    expect(formatIp(6, parseIp("1::")!.bytes)).toBe("1::");
    expect(formatIp(6, parseIp("2001:0DB8:0000:0000:0000:0000:0000:0001")!.bytes)).toBe("2001:db8::1");
    expect(formatIp(6, parseIp("2001:db8::ff00:42:8329")!.bytes)).toBe("2001:db8::ff00:42:8329");
    expect(formatIp(6, parseIp("1:2:3:4:5:6:7::")!.bytes)).toBe("1:2:3:4:5:6:7:0");
    expect(formatIp(6, parseIp("::2:3:4:5:6:7:8")!.bytes)).toBe("0:2:3:4:5:6:7:8");
    expect(formatIp(6, parseIp("1:2:3:4:5:6:7:8")!.bytes)).toBe("1:2:3:4:5:6:7:8");
  });

  test("parses an embedded IPv4 tail", () => {
    const mapped = parseIp("::ffff:1.2.3.4")!;
    expect(mapped.family).toBe(6);
    expect(Array.from(mapped.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(formatIp(6, parseIp("::1.2.3.4")!.bytes)).toBe("::102:304");
    expect(formatIp(6, parseIp("1:2:3:4:5:6:1.2.3.4")!.bytes)).toBe("1:2:3:4:5:6:102:304");
    expect(formatIp(6, parseIp("64:ff9b::192.0.2.33")!.bytes)).toBe("64:ff9b::c000:221");
  });

  test("accepts brackets around IPv6 only", () => {
    expect(parseIp("[::1]")).toEqual(parseIp("::1"));
    expect(parseIp("[2001:db8::1]")!.family).toBe(6);
    expect(parseIp("[1.2.3.4]")).toBeNull();
    expect(parseIp("[::1")).toBeNull();
    expect(parseIp("::1]")).toBeNull();
    expect(parseIp("[[::1]]")).toBeNull();
  });

  test("rejects zone ids", () => {
    expect(parseIp("fe80::1%eth0")).toBeNull();
    expect(parseIp("[fe80::1%25eth0]")).toBeNull();
    expect(parseIp("fe80::1%")).toBeNull();
  });

  test("rejects malformed IPv6", () => {
    for (const text of [
      ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8", "::1.2.3", "::1.2.3.4:5", "1.2.3.4::", "::256.1.1.1", "::ffff:01.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4", "g::1", ":1::", "1::2:", ":", "1:2", "::1 ", " ::1", "::-1", "::+1",
      ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
    ]) {
      expect([text, parseIp(text)]).toEqual([text, null]);
    }
  });

  test("returns null for non-strings", () => {
    expect(parseIp(undefined as unknown as string)).toBeNull();
    expect(parseIp(1234 as unknown as string)).toBeNull();
  });
});

describe("formatIp", () => {
  function canonical(text: string): string {
    const ip = parseIp(text)!;
    return formatIp(ip.family, ip.bytes);
  }

  test("writes IPv4 as a dotted quad", () => {
    expect(formatIp(4, new Uint8Array([192, 168, 0, 1]))).toBe("192.168.0.1");
    expect(formatIp(4, new Uint8Array([0, 0, 0, 0]))).toBe("0.0.0.0");
  });

  test("writes IPv6 in RFC 5952 form", () => {
    expect(canonical("2001:db8::1")).toBe("2001:db8::1");
    expect(canonical("::")).toBe("::");
    expect(canonical("::1")).toBe("::1");
    expect(canonical("1::")).toBe("1::");
    expect(canonical("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonical("2001:DB8::ABCD")).toBe("2001:db8::abcd");
    expect(canonical("2001:0db8:0000::0001")).toBe("2001:db8::1");
  });

  test("compresses the longest zero run, the leftmost on a tie, never a lone zero", () => {
    expect(canonical("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(canonical("2001:0:0:1:0:0:0:1")).toBe("2001:0:0:1::1");
    expect(canonical("1:0:0:2:0:0:3:4")).toBe("1::2:0:0:3:4");
    expect(canonical("0:0:1:0:0:0:0:0")).toBe("0:0:1::");
    expect(canonical("0:0:1:1:1:1:0:0")).toBe("::1:1:1:1:0:0");
    expect(canonical("1:0:1:0:1:0:1:0")).toBe("1:0:1:0:1:0:1:0");
    expect(canonical("fe80::")).toBe("fe80::");
  });

  test("keeps the dotted tail of IPv4-mapped addresses only", () => {
    expect(canonical("::ffff:1.2.3.4")).toBe("::ffff:1.2.3.4");
    expect(canonical("::ffff:0102:0304")).toBe("::ffff:1.2.3.4");
    expect(canonical("::fffe:1.2.3.4")).toBe("::fffe:102:304");
    expect(canonical("1::ffff:1.2.3.4")).toBe("1::ffff:102:304");
  });

  test("round-trips random addresses", () => {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 500; i++) {
      crypto.getRandomValues(bytes);
      // Zero some groups so that every run length occurs.
      for (let g = 0; g < 8; g++) if ((bytes[g] & 3) === 0) bytes[2 * g] = bytes[2 * g + 1] = 0;
      const text = formatIp(6, bytes);
      expect(text).toBe(text.toLowerCase());
      expect(parseIp(text)!.bytes).toEqual(bytes);
    }
  });

  test("rejects bytes of the wrong length", () => {
    expect(() => formatIp(4, new Uint8Array(16))).toThrow(TypeError);
    expect(() => formatIp(6, new Uint8Array(4))).toThrow(TypeError);
    expect(() => formatIp(5 as 4, new Uint8Array(4))).toThrow(TypeError);
  });
});

describe("parseHosts", () => {
  test("maps each lower-cased name to its addresses in file order", () => {
    const hosts = parseHosts([
      "# The hosts file",
      "127.0.0.1\tlocalhost",
      "127.0.1.1  MyBox.example.com   mybox # this machine",
      "",
      "   # indented comment",
      "::1     localhost ip6-localhost ip6-loopback",
      "ff02::1 ip6-allnodes",
      "10.0.0.5 db db.internal",
      "10.0.0.6 DB",
      "2001:DB8:0:0::7 db",
      "10.0.0.5 db",
    ].join("\n"));
    expect(hosts.get("localhost")).toEqual(["127.0.0.1", "::1"]);
    expect(hosts.get("mybox.example.com")).toEqual(["127.0.1.1"]);
    expect(hosts.get("mybox")).toEqual(["127.0.1.1"]);
    expect(hosts.get("ip6-loopback")).toEqual(["::1"]);
    expect(hosts.get("ip6-allnodes")).toEqual(["ff02::1"]);
    expect(hosts.get("db")).toEqual(["10.0.0.5", "10.0.0.6", "2001:db8::7"]);
    expect(hosts.get("db.internal")).toEqual(["10.0.0.5"]);
    expect(hosts.has("#")).toBe(false);
    expect(hosts.has("this")).toBe(false);
    expect(hosts.has("MyBox.example.com")).toBe(false);
  });

  test("skips lines without a valid address or without names", () => {
    const hosts = parseHosts("999.0.0.1 bad\n1.2.3 bad2\nfe80::1%eth0 bad3\n10.0.0.1\nnot-an-ip good\n10.0.0.2 good\n");
    expect([...hosts.keys()]).toEqual(["good"]);
    expect(hosts.get("good")).toEqual(["10.0.0.2"]);
  });

  test("handles CRLF line ends, a comment right after the address, and empty text", () => {
    expect(parseHosts("10.0.0.1 a\r\n10.0.0.2 b\r\n").get("a")).toEqual(["10.0.0.1"]);
    expect(parseHosts("10.0.0.1 a\r\n10.0.0.2 b\r\n").get("b")).toEqual(["10.0.0.2"]);
    expect(parseHosts("10.0.0.1#c d\n").size).toBe(0);
    expect(parseHosts("").size).toBe(0);
  });
});

describe("parseResolvConf", () => {
  test("uses glibc's defaults", () => {
    expect(parseResolvConf("")).toEqual({
      nameservers: ["127.0.0.1"], timeoutMs: 5000, attempts: 2, search: [], ndots: 1,
    });
  });

  test("reads nameservers, search and options", () => {
    const conf = parseResolvConf([
      "# Generated by NetworkManager",
      "search corp.example.com example.com.",
      "nameserver 192.168.1.1",
      "nameserver 2001:DB8::53   # v6",
      "; another comment",
      "options timeout:3 attempts:4 ndots:2 rotate edns0",
    ].join("\n"));
    expect(conf).toEqual({
      nameservers: ["192.168.1.1", "2001:db8::53"],
      timeoutMs: 3000,
      attempts: 4,
      search: ["corp.example.com", "example.com"],
      ndots: 2,
    });
  });

  test("keeps at most three nameservers and skips invalid ones", () => {
    const conf = parseResolvConf("nameserver 1.1.1.1\nnameserver bogus\nnameserver\nnameserver 2.2.2.2\n" +
      "nameserver fe80::1%eth0\nnameserver 3.3.3.3\nnameserver 4.4.4.4\n");
    expect(conf.nameservers).toEqual(["1.1.1.1", "2.2.2.2", "3.3.3.3"]);
  });

  test("domain and search replace each other, the last one winning", () => {
    expect(parseResolvConf("search a.example b.example\ndomain c.example\n").search).toEqual(["c.example"]);
    expect(parseResolvConf("domain c.example\nsearch a.example b.example\n").search).toEqual(["a.example", "b.example"]);
    expect(parseResolvConf("search .\n").search).toEqual([]);
  });

  test("clamps options to glibc's limits and ignores bad values", () => {
    const conf = parseResolvConf("options timeout:99 attempts:9 ndots:40\n");
    expect([conf.timeoutMs, conf.attempts, conf.ndots]).toEqual([30000, 5, 15]);
    const zero = parseResolvConf("options timeout:0 attempts:0 ndots:0\n");
    expect([zero.timeoutMs, zero.attempts, zero.ndots]).toEqual([1000, 1, 0]);
    const bad = parseResolvConf("options timeout:x attempts:-1 ndots: timeout\n");
    expect([bad.timeoutMs, bad.attempts, bad.ndots]).toEqual([5000, 2, 1]);
    expect(parseResolvConf("options ndots:3\noptions timeout:1\n")).toMatchObject({ ndots: 3, timeoutMs: 1000 });
  });

  test("keywords must be whole words at the start of a line", () => {
    const conf = parseResolvConf("nameservers 1.1.1.1\n#nameserver 2.2.2.2\nsearchdomain x\n  nameserver 3.3.3.3\n");
    expect(conf.nameservers).toEqual(["3.3.3.3"]);
    expect(conf.search).toEqual([]);
  });

  // Where the resolv-conf crate reads differently from the hand-written parser it replaced.
  test("drops search domains joined by commas, and a domain line without a domain changes nothing", () => {
    expect(parseResolvConf("search a.example,b.example c.example\n").search).toEqual(["c.example"]);
    // glibc skips an empty domain line too.
    expect(parseResolvConf("search a.example\ndomain\n").search).toEqual(["a.example"]);
  });

  test("an unknown option is skipped alone; a number beyond 32 bits is ignored, not clamped", () => {
    expect(parseResolvConf("options ndots:2 x:1:2 attempts:4\noptions timeout:3\n")).toMatchObject({ ndots: 2, attempts: 4, timeoutMs: 3000 });
    expect(parseResolvConf("options ndots:4294967296 timeout:99999999999\n")).toMatchObject({ ndots: 1, timeoutMs: 5000 });
  });
});

describe("encodeQuery", () => {
  test("writes a recursive query with one question", () => {
    expect(Array.from(encodeQuery(0x1234, "example.com", 1))).toEqual([
      0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
      7, ..."example".split("").map((c) => c.charCodeAt(0)), 3, 0x63, 0x6f, 0x6d, 0,
      0, 1, 0, 1,
    ]);
    const aaaa = decodeQuery(encodeQuery(65535, "www.Example.org", 28));
    expect(aaaa).toMatchObject({ id: 65535, flags: 0x0100, name: "www.Example.org", type: 28 });
  });

  test("a trailing dot changes nothing", () => {
    expect(encodeQuery(7, "example.com.", 1)).toEqual(encodeQuery(7, "example.com", 1));
    expect(decodeQuery(encodeQuery(7, "localhost", 28)).name).toBe("localhost");
  });

  test("allows labels of 63 bytes and names of 253", () => {
    const label = "a".repeat(63);
    expect(decodeQuery(encodeQuery(1, `${label}.com`, 1)).name).toBe(`${label}.com`);
    const longest = [label, label, label, "b".repeat(61)].join("."); // 253 characters
    expect(longest.length).toBe(253);
    expect(encodeQuery(1, longest, 1).length).toBe(12 + 255 + 4);
    expect(encodeQuery(1, `${longest}.`, 1).length).toBe(12 + 255 + 4);
  });

  test("rejects names DNS cannot carry, naming them", () => {
    const label = "a".repeat(64);
    expect(() => encodeQuery(1, `${label}.com`, 1)).toThrow(`Invalid hostname "${label}.com": it has a label longer than 63 characters`);
    const tooLong = ["a".repeat(63), "a".repeat(63), "a".repeat(63), "b".repeat(62)].join(".");
    expect(thrown(() => encodeQuery(1, tooLong, 1)).message).toContain(tooLong);
    expect(() => encodeQuery(1, tooLong, 1)).toThrow(/longer than 253/);
    expect(() => encodeQuery(1, "a..b", 1)).toThrow(/"a\.\.b": it has an empty label/);
    expect(() => encodeQuery(1, ".a", 1)).toThrow(/empty label/);
    expect(() => encodeQuery(1, "a..", 1)).toThrow(/empty label/);
    expect(() => encodeQuery(1, "", 1)).toThrow(/empty/);
    expect(() => encodeQuery(1, ".", 1)).toThrow(/empty/);
    expect(() => encodeQuery(1, "bücher.de", 1)).toThrow(/"bücher\.de": non-ASCII names \(IDN\) are not supported/);
    expect(() => encodeQuery(1, "a b", 1)).toThrow(/space or control/);
    expect(() => encodeQuery(1, "a\nb", 1)).toThrow(/space or control/);
    expect(thrown(() => encodeQuery(1, "a b", 1))).toBeInstanceOf(Error);
  });

  test("a name too long in both ways is reported for its label", () => {
    const name = ["a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(63)].join(".");
    expect(() => encodeQuery(1, name, 1)).toThrow(/label longer than 63/);
  });

  test("a backslash is a byte of its label, not an escape", () => {
    const packet = encodeQuery(1, "a\\.b", 1);
    expect(packet.length).toBe(12 + (1 + 2) + (1 + 1) + 1 + 4);
    expect(decodeQuery(packet).name).toBe("a\\.b");
  });

  test("rejects bad ids and types", () => {
    expect(() => encodeQuery(-1, "a", 1)).toThrow(RangeError);
    expect(() => encodeQuery(65536, "a", 1)).toThrow(RangeError);
    expect(() => encodeQuery(1.5, "a", 1)).toThrow(RangeError);
    expect(() => encodeQuery(1, "a", 5 as 1)).toThrow(TypeError);
  });
});

describe("parseResponse", () => {
  const Q_A = question("example.com", A);
  const Q_AAAA = question("example.com", AAAA);

  test("reads A records through compression pointers", () => {
    const bytes = message({
      id: 42,
      question: Q_A,
      answers: [record(QNAME, A, [93, 184, 216, 34]), record(QNAME, A, [93, 184, 216, 35])],
    });
    expect(parseResponse(bytes, 42, 1)).toEqual({ rcode: 0, addresses: ["93.184.216.34", "93.184.216.35"], truncated: false });
    expect(parseResponse(bytes, 42, 1, "EXAMPLE.com.").addresses).toHaveLength(2);
  });

  test("reads uncompressed owners and formats AAAA canonically", () => {
    const bytes = message({
      id: 1,
      question: Q_AAAA,
      answers: [record(name("Example.COM"), AAAA, ipv6("2001:db8:0:0:1:0:0:1"))],
    });
    expect(parseResponse(bytes, 1, 28).addresses).toEqual(["2001:db8::1:0:0:1"]);
  });

  test("follows a CNAME chain, compressed or not, in any order", () => {
    // example.com CNAME www.example.net (labels "www" + pointer to "example.net" in the next record)
    const first = record(QNAME, CNAME, name("edge.example.net"));
    const firstEnd = 12 + Q_A.length + first.length;
    const edgeAt = firstEnd - name("edge.example.net").length; // "edge.example.net" inside the first record
    const netAt = edgeAt + 5; // its "example.net" suffix
    const second = record(ptr(edgeAt), CNAME, [3, 0x63, 0x64, 0x6e, ...ptr(netAt)]); // -> cdn.example.net
    const secondEnd = firstEnd + second.length;
    const cdnAt = secondEnd - 6;
    const bytes = message({
      id: 9,
      question: Q_A,
      answers: [first, second, record(ptr(cdnAt), A, [1, 1, 1, 1]), record(name("cdn.example.net"), A, [1, 1, 1, 2])],
    });
    expect(parseResponse(bytes, 9, 1).addresses).toEqual(["1.1.1.1", "1.1.1.2"]);

    const reordered = message({
      id: 9,
      question: Q_A,
      answers: [
        record(name("b.example"), A, [2, 2, 2, 2]),
        record(name("a.example"), CNAME, name("b.example")),
        record(QNAME, CNAME, name("a.example")),
      ],
    });
    expect(parseResponse(reordered, 9, 1).addresses).toEqual(["2.2.2.2"]);
  });

  test("ignores records of other names, types and classes", () => {
    const bytes = message({
      id: 3,
      question: Q_A,
      answers: [
        record(name("evil.example"), A, [6, 6, 6, 6]),
        record(QNAME, TXT, [5, 0x68, 0x65, 0x6c, 0x6c, 0x6f]),
        record(QNAME, AAAA, ipv6("::1")),
        record(QNAME, NS, name("ns.example.com")),
        record(QNAME, A, [7, 7, 7, 7], 3), // class CH
        record(QNAME, A, [8, 8, 8, 8]),
        record(name("other.example"), CNAME, name("evil.example")),
      ],
    });
    expect(parseResponse(bytes, 3, 1).addresses).toEqual(["8.8.8.8"]);
  });

  test("a CNAME cycle ends", () => {
    const bytes = message({
      id: 3,
      question: Q_A,
      answers: [
        record(QNAME, CNAME, name("a.example")),
        record(name("a.example"), CNAME, name("example.com")),
        record(name("a.example"), A, [4, 4, 4, 4]),
      ],
    });
    expect(parseResponse(bytes, 3, 1).addresses).toEqual(["4.4.4.4"]);
  });

  test("returns the rcode of errors, whose question may be missing", () => {
    expect(parseResponse(message({ id: 5, question: Q_A, rcode: 3 }), 5, 1)).toEqual({ rcode: 3, addresses: [], truncated: false });
    expect(parseResponse(message({ id: 5, question: null, rcode: 1 }), 5, 1).rcode).toBe(1);
    expect(parseResponse(message({ id: 5, question: Q_A, rcode: 2, answers: [record(QNAME, A, [1, 2, 3, 4])] }), 5, 1).addresses).toEqual([]);
  });

  test("an answer with no records of the type is empty", () => {
    expect(parseResponse(message({ id: 5, question: Q_AAAA }), 5, 28)).toEqual({ rcode: 0, addresses: [], truncated: false });
  });

  test("rejects replies to other queries", () => {
    const bytes = message({ id: 100, question: Q_A, answers: [record(QNAME, A, [1, 2, 3, 4])] });
    expect(() => parseResponse(bytes, 101, 1)).toThrow("DNS response id 100 does not match query id 101");
    expect(() => parseResponse(bytes, 100, 28)).toThrow(/type 1 class 1, not type 28/);
    expect(() => parseResponse(bytes, 100, 1, "example.org")).toThrow(/"example.com", not "example.org"/);
    const chaos = message({ id: 100, question: [...name("example.com"), 0, 1, 0, 3] });
    expect(() => parseResponse(chaos, 100, 1)).toThrow(/class 3/);
  });

  test("rejects queries, other opcodes and bad question counts", () => {
    expect(() => parseResponse(message({ id: 1, flags: 0x0100, question: Q_A }), 1, 1)).toThrow(/QR bit/);
    expect(() => parseResponse(message({ id: 1, flags: 0x8000 | (2 << 11), question: Q_A }), 1, 1)).toThrow(/opcode 2/);
    expect(() => parseResponse(message({ id: 1, question: null }), 1, 1)).toThrow(/0 questions/);
    const two = message({ id: 1, question: Q_A });
    two[5] = 2;
    expect(() => parseResponse(two, 1, 1)).toThrow(/2 questions/);
  });

  test("rejects messages shorter than their contents", () => {
    expect(() => parseResponse(new Uint8Array(11), 0, 1)).toThrow("Malformed DNS response: 11 bytes is shorter than a header");
    const full = message({ id: 1, question: Q_A, answers: [record(QNAME, A, [1, 2, 3, 4])] });
    // Every cut of a complete reply either fails cleanly or is the header alone.
    for (let length = 12; length < full.length; length++) {
      const error = thrown(() => parseResponse(full.subarray(0, length), 1, 1));
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/^Malformed DNS response: /);
    }
    const answerCount = message({ id: 1, question: Q_A, answers: [record(QNAME, A, [1, 2, 3, 4])], answerCount: 2 });
    expect(() => parseResponse(answerCount, 1, 1)).toThrow(/runs past the end/);
  });

  test("a subarray is read at its own offset", () => {
    const inner = message({ id: 77, question: Q_A, answers: [record(QNAME, A, [9, 9, 9, 9])] });
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 5);
    expect(parseResponse(outer.subarray(5, 5 + inner.length), 77, 1).addresses).toEqual(["9.9.9.9"]);
  });

  test("reads a truncated reply up to the cut", () => {
    const answers = [record(QNAME, A, [1, 0, 0, 1]), record(QNAME, A, [1, 0, 0, 2]), record(QNAME, A, [1, 0, 0, 3])];
    const full = message({ id: 8, flags: 0x8380, question: Q_A, answers });
    // Cut inside the third record: the first two stand.
    const cut = full.subarray(0, full.length - 3);
    expect(parseResponse(cut, 8, 1)).toEqual({ rcode: 0, addresses: ["1.0.0.1", "1.0.0.2"], truncated: true });
    // Cut right after the question.
    const bare = full.subarray(0, 12 + Q_A.length);
    expect(parseResponse(bare, 8, 1)).toEqual({ rcode: 0, addresses: [], truncated: true });
    // Without TC, the same cut is an error.
    const untruncated = message({ id: 8, question: Q_A, answers });
    expect(() => parseResponse(untruncated.subarray(0, untruncated.length - 3), 8, 1)).toThrow(/runs past the end/);
  });

  test("refuses compression pointer loops and forward pointers", () => {
    // The question name is a pointer to itself.
    const self = message({ id: 1, question: [...ptr(12), 0, 1, 0, 1] });
    expect(() => parseResponse(self, 1, 1)).toThrow(/compression pointer at byte 12 does not point back/);
    // Two names pointing at each other: one of the two pointers must point forward.
    const ownerAt = 12 + Q_A.length;
    const loop = message({
      id: 1,
      question: Q_A,
      answers: [record([1, 0x78, ...ptr(ownerAt + 18)], A, [1, 2, 3, 4]), [1, 0x79, ...ptr(ownerAt)]],
    });
    expect(() => parseResponse(loop, 1, 1)).toThrow(/does not point back/);
    // A label followed by a pointer back to that label.
    const spin = message({ id: 1, question: Q_A, answers: [record([1, 0x78, ...ptr(ownerAt)], A, [1, 2, 3, 4])] });
    expect(() => parseResponse(spin, 1, 1)).toThrow(/does not point back/);
    // A pointer past the end of the message.
    const far = message({ id: 1, question: Q_A, answers: [record(ptr(0x3fff), A, [1, 2, 3, 4])] });
    expect(() => parseResponse(far, 1, 1)).toThrow(/does not point back/);
    // A pointer cut in half.
    const half = message({ id: 1, question: [...name("a"), 0, 1, 0, 1], answers: [[0xc0]] });
    expect(() => parseResponse(half, 1, 1)).toThrow(/runs past the end/);
  });

  test("a long chain of pointers back ends", () => {
    // Names of one label and a pointer to the previous name, kept in the data of a TXT record.
    function chain(count: number): Uint8Array {
      const names: number[] = [];
      const start = 12 + Q_A.length + QNAME.length + 10;
      let previous = -1;
      for (let i = 0; i < count; i++) {
        const at = start + names.length;
        names.push(1, 0x61, ...(previous < 0 ? [0] : ptr(previous)));
        previous = at;
      }
      return message({ id: 1, question: Q_A, answers: [record(QNAME, TXT, names), record(ptr(previous), A, [1, 2, 3, 4])] });
    }
    expect(parseResponse(chain(127), 1, 1)).toEqual({ rcode: 0, addresses: [], truncated: false });
    expect(() => parseResponse(chain(128), 1, 1)).toThrow(/longer than 255 bytes/);
    expect(() => parseResponse(chain(5000), 1, 1)).toThrow(/longer than 255 bytes/);
  });

  test("refuses names longer than 255 bytes", () => {
    const label = [63, ...new Array(63).fill(0x61)];
    const long = [...label, ...label, ...label, ...label, 0]; // 257 bytes
    expect(() => parseResponse(message({ id: 1, question: [...long, 0, 1, 0, 1] }), 1, 1)).toThrow(/longer than 255 bytes/);
    const fits = [...label, ...label, ...label, 61, ...new Array(61).fill(0x62), 0]; // 255 bytes
    expect(parseResponse(message({ id: 1, question: [...fits, 0, 1, 0, 1] }), 1, 1).rcode).toBe(0);
  });

  test("refuses extended label types and bad record data", () => {
    expect(() => parseResponse(message({ id: 1, question: [0x41, 0, 0, 1, 0, 1] }), 1, 1)).toThrow(/label type 0x40/);
    expect(() => parseResponse(message({ id: 1, question: [0x81, 0, 0, 1, 0, 1] }), 1, 1)).toThrow(/label type 0x80/);
    expect(() => parseResponse(message({ id: 1, question: Q_A, answers: [record(QNAME, A, [1, 2, 3, 4, 5])] }), 1, 1))
      .toThrow(/5 bytes of address, not 4/);
    expect(() => parseResponse(message({ id: 1, question: Q_AAAA, answers: [record(QNAME, AAAA, [1, 2, 3, 4])] }), 1, 28))
      .toThrow(/4 bytes of address, not 16/);
    expect(() => parseResponse(message({ id: 1, question: Q_A, answers: [record(QNAME, CNAME, [...name("a.b"), 9])] }), 1, 1))
      .toThrow(/does not fill its data/);
    const dataPastEnd = message({ id: 1, question: Q_A, answers: [record(QNAME, A, [1, 2, 3, 4])] });
    dataPastEnd[dataPastEnd.length - 5] = 5; // rdlength 5, one byte missing
    expect(() => parseResponse(dataPastEnd, 1, 1)).toThrow(/runs past the end/);
  });

  test("skips records of other types unread, however damaged their data", () => {
    const bytes = message({
      id: 4,
      question: Q_A,
      answers: [
        record(QNAME, TXT, [200, 0x61]), // a character-string longer than its record
        record(QNAME, NS, [0xc0]), // half a pointer
        record(QNAME, A, [4, 3, 2, 1]),
      ],
    });
    expect(parseResponse(bytes, 4, 1).addresses).toEqual(["4.3.2.1"]);
  });

  test("refuses a name whose pointer leads to labels running into the name itself", () => {
    // Answer 2's owner is a pointer to the last two bytes of answer 1 (a length of 3, "a"), so
    // the label read there runs over the pointer itself.
    const first = record(QNAME, TXT, [2, 0x62, 3, 0x61]);
    const ownerAt = 12 + Q_A.length + first.length;
    const bytes = message({ id: 4, question: Q_A, answers: [first, record(ptr(ownerAt - 2), A, [1, 2, 3, 4])] });
    expect(() => parseResponse(bytes, 4, 1)).toThrow(`Malformed DNS response: a name reached through a compression pointer runs into the name at byte ${ownerAt}`);
  });

  test("random damage only ever throws Errors", () => {
    const good = message({
      id: 0xbeef,
      question: Q_A,
      answers: [record(QNAME, CNAME, name("x.example.com")), record(ptr(12 + Q_A.length + 12), A, [1, 2, 3, 4]), record(QNAME, A, [5, 6, 7, 8])],
    });
    expect(parseResponse(good, 0xbeef, 1).addresses).toEqual(["1.2.3.4", "5.6.7.8"]);
    const random = new Uint8Array(4);
    let thrownCount = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = good.slice();
      crypto.getRandomValues(random);
      const flips = 1 + (random[0] & 3);
      for (let f = 0; f < flips; f++) {
        crypto.getRandomValues(random);
        bytes[(random[0] | (random[1] << 8)) % bytes.length] = random[2];
      }
      try {
        const result = parseResponse(bytes.subarray(0, bytes.length - (random[3] & 7)), 0xbeef, 1);
        for (const address of result.addresses) expect(parseIp(address)?.family).toBe(4);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        thrownCount++;
      }
    }
    expect(thrownCount).toBeGreaterThan(0);
  });
});

describe("resolve", () => {
  test("a numeric address is itself, canonical, with no IO", () => {
    expect(resolve("1.2.3.4", noIo)).toEqual(["1.2.3.4"]);
    expect(resolve("2001:DB8:0:0::1", noIo)).toEqual(["2001:db8::1"]);
    expect(resolve("[::1]", noIo)).toEqual(["::1"]);
    expect(resolve("::ffff:1.2.3.4", noIo)).toEqual(["::ffff:1.2.3.4"]);
  });

  test("looks in /etc/hosts first, ignoring case and a trailing dot, IPv4 first", () => {
    const io = fakeIo({ "/etc/hosts": "::1 box\n10.0.0.9 Box box.lan\n" }, () => {
      throw new Error("no DNS expected");
    });
    expect(resolve("box", io)).toEqual(["10.0.0.9", "::1"]);
    expect(resolve("BOX.", io)).toEqual(["10.0.0.9", "::1"]);
    expect(resolve("box.lan", io)).toEqual(["10.0.0.9"]);
    expect(io.reads.every((path) => path === "/etc/hosts")).toBe(true);
  });

  test("localhost and *.localhost are loopback unless the hosts file says otherwise", () => {
    const io = fakeIo({}, () => {
      throw new Error("no DNS expected");
    });
    expect(resolve("localhost", io)).toEqual(["127.0.0.1", "::1"]);
    expect(resolve("LocalHost.", io)).toEqual(["127.0.0.1", "::1"]);
    expect(resolve("app.localhost", io)).toEqual(["127.0.0.1", "::1"]);
    const hosts = fakeIo({ "/etc/hosts": "::1 localhost\n127.0.0.1 localhost\n127.0.0.2 app.localhost" }, () => null);
    expect(resolve("localhost", hosts)).toEqual(["127.0.0.1", "::1"]);
    expect(resolve("app.localhost", hosts)).toEqual(["127.0.0.2"]);
    expect(hosts.queries).toHaveLength(0);
  });

  test("*.invalid does not exist", () => {
    const io = fakeIo({}, () => {
      throw new Error("no DNS expected");
    });
    const error = thrown(() => resolve("example.invalid", io));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("getaddrinfo ENOTFOUND example.invalid");
    expect(error).toMatchObject({ code: "ENOTFOUND", hostname: "example.invalid", syscall: "getaddrinfo" });
  });

  test("asks DNS for A then AAAA, IPv4 first", () => {
    const io = fakeIo(
      { "/etc/resolv.conf": "nameserver 10.0.0.1\noptions timeout:2\n" },
      zone({ "example.com": { a: ["93.184.216.34"], aaaa: ["2606:2800:220:1:248:1893:25c8:1946"] } }),
    );
    expect(resolve("Example.com", io)).toEqual(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]);
    expect(io.queries.map((q) => [q.host, q.port, q.timeoutMs, q.name, q.type])).toEqual([
      ["10.0.0.1", 53, 2000, "Example.com", A],
      ["10.0.0.1", 53, 2000, "Example.com", AAAA],
    ]);
    expect(io.reads).toEqual(["/etc/hosts", "/etc/resolv.conf"]);
  });

  test("uses a random id per query", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, zone({ "example.com": { a: ["1.2.3.4"] } }));
    for (let i = 0; i < 8; i++) resolve("example.com", io);
    expect(new Set(io.queries.map((q) => q.id)).size).toBeGreaterThan(8);
  });

  test("without resolv.conf asks 127.0.0.1:53 with glibc's timeout", () => {
    const io = fakeIo({}, zone({ "example.com": { a: ["1.2.3.4"] } }));
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);
    expect([io.queries[0].host, io.queries[0].port, io.queries[0].timeoutMs]).toEqual(["127.0.0.1", 53, 5000]);
  });

  test("options.nameservers replaces resolv.conf's servers, with optional ports", () => {
    const server = zone({ "example.com": { a: ["1.2.3.4"] } });
    const cases: [string, string, number][] = [
      ["9.9.9.9", "9.9.9.9", 53],
      ["127.0.0.1:5353", "127.0.0.1", 5353],
      ["::1", "::1", 53],
      ["2001:DB8::53", "2001:db8::53", 53],
      ["[::1]:5353", "::1", 5353],
      ["[2001:db8:0::1]", "2001:db8::1", 53],
    ];
    for (const [entry, host, port] of cases) {
      const io = fakeIo({ "/etc/resolv.conf": "nameserver 10.0.0.1\noptions timeout:1\n" }, server);
      expect(resolve("example.com", io, { nameservers: [entry] })).toEqual(["1.2.3.4"]);
      expect([io.queries[0].host, io.queries[0].port, io.queries[0].timeoutMs]).toEqual([host, port, 1000]);
    }
  });

  test("rejects malformed nameserver entries", () => {
    for (const entry of ["example.com", "1.2.3.4:0", "1.2.3.4:65536", "[1.2.3.4]:53", "::1:53:x", "[::1]:", "1.2.3.4:", "[::1]:53x", ""]) {
      const error = thrown(() => resolve("example.com", fakeIo({}, () => null), { nameservers: [entry] }));
      expect([entry, error instanceof TypeError]).toEqual([entry, true]);
      expect(error.message).toContain(JSON.stringify(entry));
    }
  });

  test("an empty server list means hosts only", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, () => {
      throw new Error("no DNS expected");
    });
    expect(thrown(() => resolve("example.com", io, { nameservers: [] })).code).toBe("ENOTFOUND");
  });

  test("follows CNAMEs", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, zone({
      "www.example.com": { cname: "edge.cdn.example" },
      "edge.cdn.example": { cname: "pop1.cdn.example" },
      "pop1.cdn.example": { a: ["10.1.1.1", "10.1.1.2"], aaaa: ["2001:db8::a", "2001:db8::b"] },
    }));
    expect(resolve("www.example.com", io)).toEqual(["10.1.1.1", "10.1.1.2", "2001:db8::a", "2001:db8::b"]);
  });

  test("NXDOMAIN throws ENOTFOUND at once, in Node's shape", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, zone({}));
    const error = thrown(() => resolve("nope.example.com", io));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("getaddrinfo ENOTFOUND nope.example.com");
    expect(error.code).toBe("ENOTFOUND");
    expect(error.hostname).toBe("nope.example.com");
    expect(error.syscall).toBe("getaddrinfo");
    // Neither the second server nor AAAA is asked.
    expect(io.queries.map((q) => [q.host, q.type])).toEqual([["10.0.0.1", A]]);
  });

  test("a name without addresses throws ENOTFOUND", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, zone({ "empty.example.com": {} }));
    expect(thrown(() => resolve("empty.example.com", io)).code).toBe("ENOTFOUND");
    expect(io.queries.map((q) => [q.host, q.type])).toEqual([["10.0.0.1", A], ["10.0.0.1", AAAA]]);
  });

  test("moves on to the next server after a timeout, and asks it first for AAAA", () => {
    const good = zone({ "example.com": { a: ["1.2.3.4"], aaaa: ["::2"] } });
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.host === "10.0.0.1" ? null : good(q)));
    expect(resolve("example.com", io)).toEqual(["1.2.3.4", "::2"]);
    expect(io.queries.map((q) => [q.host, q.type])).toEqual([["10.0.0.1", A], ["10.0.0.2", A], ["10.0.0.2", AAAA]]);
  });

  test("tries every server for `attempts` rounds, then throws ETIMEOUT", () => {
    const io = fakeIo({ "/etc/resolv.conf": `${CONF}options attempts:3 timeout:1\n` }, () => null);
    const error = thrown(() => resolve("example.com", io));
    expect(error.message).toBe("getaddrinfo ETIMEOUT example.com");
    expect(error).toMatchObject({ code: "ETIMEOUT", hostname: "example.com" });
    // A only: after every A query timed out, AAAA is not tried.
    expect(io.queries.map((q) => q.host)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"]);
    expect(io.queries.every((q) => q.type === A && q.timeoutMs === 1000)).toBe(true);
  });

  test("a second round can succeed", () => {
    let calls = 0;
    const good = zone({ "example.com": { a: ["1.2.3.4"] } });
    const io = fakeIo({ "/etc/resolv.conf": "nameserver 10.0.0.1\n" }, (q) => (++calls === 1 ? null : good(q)));
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);
    expect(io.queries).toHaveLength(3);
  });

  test("SERVFAIL moves on to the next server; if all fail, ESERVFAIL", () => {
    const good = zone({ "example.com": { a: ["1.2.3.4"] } });
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.host === "10.0.0.1" ? reply(q, [], { rcode: 2 }) : good(q)));
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);

    const failing = fakeIo({ "/etc/resolv.conf": CONF }, (q) => reply(q, [], { rcode: 2 }));
    const error = thrown(() => resolve("example.com", failing));
    expect(error).toMatchObject({ code: "ESERVFAIL", message: "getaddrinfo ESERVFAIL example.com" });
    expect(failing.queries).toHaveLength(8); // 2 servers x 2 attempts, for A and AAAA
  });

  test("a reply beats silence in the error", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.host === "10.0.0.1" ? reply(q, [], { rcode: 5 }) : null));
    expect(thrown(() => resolve("example.com", io)).code).toBe("EREFUSED");
  });

  test("ignores a reply with the wrong id", () => {
    const good = zone({ "example.com": { a: ["1.2.3.4"] } });
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => {
      const bytes = good(q)!;
      if (q.host === "10.0.0.1") bytes[1] ^= 1;
      return bytes;
    });
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);
    // AAAA goes first to the server that answered A.
    expect(io.queries.map((q) => [q.host, q.type])).toEqual([["10.0.0.1", A], ["10.0.0.2", A], ["10.0.0.2", AAAA]]);

    const forged = fakeIo({ "/etc/resolv.conf": CONF }, (q) => message({ id: q.id ^ 0x8000, question: q.question, answers: [record(QNAME, A, [6, 6, 6, 6])] }));
    expect(thrown(() => resolve("example.com", forged)).code).toBe("EBADRESP");
  });

  test("ignores a reply for another name", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => message({ id: q.id, question: question("evil.example", q.type), answers: [record(QNAME, A, [6, 6, 6, 6])] }));
    expect(thrown(() => resolve("example.com", io)).code).toBe("EBADRESP");
  });

  test("a malformed reply (a pointer loop) moves on to the next server", () => {
    const good = zone({ "example.com": { a: ["1.2.3.4"] } });
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => {
      if (q.host !== "10.0.0.1") return good(q);
      const loopAt = 12 + q.question.length;
      return reply(q, [record(ptr(loopAt), A, [6, 6, 6, 6])]);
    });
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);
  });

  test("uses the records of a truncated reply, and skips one without any", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => {
      if (q.type === AAAA) return reply(q);
      if (q.host === "10.0.0.1") return reply(q, [], { flags: 0x8380 });
      const full = reply(q, [record(QNAME, A, [1, 1, 1, 1]), record(QNAME, A, [2, 2, 2, 2])], { flags: 0x8380 });
      return full.subarray(0, full.length - 2);
    });
    expect(resolve("example.com", io)).toEqual(["1.1.1.1"]);
    expect(io.queries.map((q) => [q.host, q.type])).toEqual([["10.0.0.1", A], ["10.0.0.2", A], ["10.0.0.2", AAAA]]);
  });

  test("one family is enough when the other's query fails", () => {
    const good = zone({ "example.com": { a: ["1.2.3.4"], aaaa: ["::5"] } });
    const noAaaa = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.type === AAAA ? reply(q, [], { rcode: 2 }) : good(q)));
    expect(resolve("example.com", noAaaa)).toEqual(["1.2.3.4"]);
    const noA = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.type === A ? reply(q, [], { rcode: 2 }) : good(q)));
    expect(resolve("example.com", noA)).toEqual(["::5"]);
  });

  test("a failure to look up AAAA of a name without A records is an error", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) => (q.type === AAAA ? null : reply(q)));
    expect(thrown(() => resolve("example.com", io)).code).toBe("ETIMEOUT");
  });

  test("removes duplicate addresses", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, (q) =>
      q.type === A ? reply(q, [record(QNAME, A, [1, 2, 3, 4]), record(QNAME, A, [1, 2, 3, 4])]) : reply(q));
    expect(resolve("example.com", io)).toEqual(["1.2.3.4"]);
  });

  test("tries search domains for names with fewer than ndots dots, then the name itself", () => {
    const conf = `${CONF}search corp.example lab.example\n`;
    const io = fakeIo({ "/etc/resolv.conf": conf }, zone({ "db.lab.example": { a: ["10.2.0.1"] }, "solo": { a: ["10.3.0.1"] } }));
    expect(resolve("db", io)).toEqual(["10.2.0.1"]);
    expect(io.queries.map((q) => [q.name, q.type])).toEqual([
      ["db.corp.example", A],
      ["db.lab.example", A],
      ["db.lab.example", AAAA],
    ]);

    const last = fakeIo({ "/etc/resolv.conf": conf }, zone({ "solo": { a: ["10.3.0.1"] } }));
    expect(resolve("solo", last)).toEqual(["10.3.0.1"]);
    expect(last.queries.map((q) => q.name)).toEqual(["solo.corp.example", "solo.lab.example", "solo", "solo"]);
  });

  test("names with ndots dots or a trailing dot are tried only as given", () => {
    const conf = `${CONF}search corp.example\n`;
    const io = fakeIo({ "/etc/resolv.conf": conf }, zone({ "db.corp.example": { a: ["10.2.0.1"] } }));
    expect(thrown(() => resolve("www.example", io)).code).toBe("ENOTFOUND");
    expect(thrown(() => resolve("db.", io)).code).toBe("ENOTFOUND");
    expect(io.queries.map((q) => q.name)).toEqual(["www.example", "db"]);

    const ndots2 = fakeIo({ "/etc/resolv.conf": `${conf}options ndots:2\n` }, zone({ "www.example.corp.example": { a: ["10.4.0.1"] } }));
    expect(resolve("www.example", ndots2)).toEqual(["10.4.0.1"]);
  });

  test("the error names the hostname as given, whatever was searched", () => {
    const io = fakeIo({ "/etc/resolv.conf": `${CONF}search corp.example\n` }, zone({}));
    const error = thrown(() => resolve("nothing", io));
    expect(error.message).toBe("getaddrinfo ENOTFOUND nothing");
    expect(error.hostname).toBe("nothing");
  });

  test("a server failure ends the search", () => {
    const io = fakeIo({ "/etc/resolv.conf": `${CONF}search corp.example lab.example\n` }, (q) =>
      q.name === "db.lab.example" ? reply(q, [record(QNAME, A, [6, 6, 6, 6])]) : reply(q, [], { rcode: 2 }));
    expect(thrown(() => resolve("db", io)).code).toBe("ESERVFAIL");
    expect(new Set(io.queries.map((q) => q.name))).toEqual(new Set(["db.corp.example"]));
  });

  test("skips search domains that would make the name too long", () => {
    const long = "a".repeat(63);
    const domain = [long, long, long, "b".repeat(60)].join("."); // 252 characters
    const io = fakeIo({ "/etc/resolv.conf": `${CONF}search ${domain}\n` }, zone({ "xxxxxxxxxx": { a: ["10.9.9.9"] } }));
    expect(resolve("xxxxxxxxxx", io)).toEqual(["10.9.9.9"]);
    expect(io.queries[0].name).toBe("xxxxxxxxxx");
  });

  test("names DNS cannot carry, and address look-alikes, are not found without asking", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, () => {
      throw new Error("no DNS expected");
    });
    const long = thrown(() => resolve(`${"a".repeat(64)}.com`, io));
    expect(long.code).toBe("ENOTFOUND");
    expect(long.cause.message).toMatch(/label longer than 63/);
    expect(thrown(() => resolve("bücher.example", io)).cause.message).toMatch(/IDN/);
    for (const name of ["", ".", "a..b", "foo..", "127.1", "01.2.3.4", "0x7f.0.0.1", "1.2.3.4.", "1.2.3.256", "fe80::1%eth0", "::1::2", "[::1]:53", "a b"]) {
      const error = thrown(() => resolve(name, io));
      expect([name, error.code, error.hostname]).toEqual([name, "ENOTFOUND", name]);
    }
    expect(io.queries).toHaveLength(0);
  });

  test("rejects a hostname that is not a string", () => {
    expect(() => resolve(42 as unknown as string, noIo)).toThrow(TypeError);
  });

  test("lets an exception from io.query through", () => {
    const io = fakeIo({ "/etc/resolv.conf": CONF }, () => {
      throw new Error("cancelled");
    });
    expect(() => resolve("example.com", io)).toThrow("cancelled");
  });
});
