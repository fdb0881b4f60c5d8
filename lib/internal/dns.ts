// The hostname resolver: numeric addresses, /etc/hosts, then DNS over UDP, in the spirit of
// getaddrinfo(). Every file read and every datagram goes through an injected ResolverIo, so
// this module does no IO of its own and is tested with a fake server; uringy:net supplies the
// real one. There is no async here: in Uringy a call that waits suspends only its fiber.
//
// Decisions, and where this departs from glibc:
// - Numeric IPv4 is the strict dotted quad of inet_pton: no "127.1", no hex, and no leading
//   zeros ("01.2.3.4" is octal to inet_aton and decimal to others, so it is refused outright).
// - IPv6 zone ids ("fe80::1%eth0") are refused: bytes cannot carry a zone, and dropping it
//   silently would send link-local traffic out of whatever interface the kernel picks.
// - Results list IPv4 before IPv6 (each in source order), whatever the source: the default
//   order of getaddrinfo for most hosts, and it keeps "localhost" on 127.0.0.1 for servers that
//   listen only there.
// - Search domains follow musl's rule: only names with fewer than `ndots` dots are tried with
//   each search domain, then as given; other names are tried only as given. (glibc also tries
//   the search list after such a name fails.) A trailing dot disables the search list.
// - There is no TCP fallback (ResolverIo has only UDP): the complete records of a truncated
//   reply are used, as glibc does with RES_IGNTC; a truncated reply without any counts as a
//   failure of that server.
// - LOCALDOMAIN, RES_OPTIONS and the domain of the local hostname are not consulted.

export interface ResolverIo {
  /** The text of the file at `path`, or null if it cannot be read. */
  readFile(path: string): string | null;
  /**
   * Sends `packet` to host:port over UDP and returns the reply, or null if no usable reply
   * came within `timeoutMs` (an unreachable server counts as no reply). An exception it
   * throws (cancellation, say) ends the lookup.
   */
  query(host: string, port: number, packet: Uint8Array, timeoutMs: number): Uint8Array | null;
}

export interface ParsedIp {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface ResolvConf {
  nameservers: string[];
  timeoutMs: number;
  attempts: number;
  search: string[];
  ndots: number;
}

export interface DnsResponse {
  rcode: number;
  addresses: string[];
  truncated: boolean;
}

export interface ResolveOptions {
  /** Servers to ask instead of resolv.conf's: "1.2.3.4", "::1", "1.2.3.4:5353", "[::1]:5353". */
  nameservers?: string[];
  /** How long to wait for each server's reply, instead of resolv.conf's `timeout`. */
  timeoutMs?: number;
  /** Rounds over the servers, instead of resolv.conf's `attempts`. */
  attempts?: number;
}

/** What resolve() throws: Node's shape, e.g. `getaddrinfo ENOTFOUND example.invalid`. */
export interface LookupError extends Error {
  code: string;
  hostname: string;
  syscall: "getaddrinfo";
}

const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;
const DNS_PORT = 53;
const HEADER_LENGTH = 12;
const MAX_NAME_TEXT = 253; // 255 bytes on the wire, less the first length byte and the root
const MAX_LABEL = 63;
const MAX_NAME_WIRE = 255;

// glibc's defaults and limits (resolv.h: RES_TIMEOUT, RES_DFLRETRY, MAXNS, RES_MAXNDOTS,
// RES_MAXRETRANS, RES_MAXRETRY).
const DEFAULT_TIMEOUT_S = 5;
const DEFAULT_ATTEMPTS = 2;
const DEFAULT_NDOTS = 1;
const MAX_NAMESERVERS = 3;
const MAX_NDOTS = 15;
const MAX_TIMEOUT_S = 30;
const MAX_ATTEMPTS = 5;

const HOSTS_PATH = "/etc/hosts";
const RESOLV_CONF_PATH = "/etc/resolv.conf";

// Error codes for the response codes that mean "this server could not answer"; Node's dns
// module uses the same names (from c-ares).
const RCODE_ERRORS: Record<number, string> = { 1: "EFORMERR", 2: "ESERVFAIL", 4: "ENOTIMP", 5: "EREFUSED" };

// ---------------------------------------------------------------------------
// Numeric addresses

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** A numeric IPv4 or IPv6 address (IPv6 optionally in brackets), or null if `text` is not one. */
export function parseIp(text: string): ParsedIp | null {
  if (typeof text !== "string") return null;
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) return null;
    const bytes = parseIpv6(text.slice(1, -1));
    return bytes && { family: 6, bytes };
  }
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  return v6 && { family: 6, bytes: v6 };
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!DECIMAL_OCTET.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  // A dotted IPv4 tail stands for the last two groups: parse it, and the rest with zeros there.
  let hex = text;
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.includes(".", lastColon)) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return null;
    hex = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const head = hexGroups(halves[0]);
  const rest = halves.length === 2 ? hexGroups(halves[1]) : [];
  if (!head || !rest) return null;
  // "::" stands for at least one group.
  if (halves.length === 2 ? head.length + rest.length > 7 : head.length !== 8) return null;
  const words = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i] >> 8;
    bytes[2 * i + 1] = words[i] & 0xff;
  }
  if (tail) bytes.set(tail, 12);
  return bytes;
}

function hexGroups(text: string): number[] | null {
  if (text === "") return [];
  const groups = text.split(":");
  for (const group of groups) if (!HEX_GROUP.test(group)) return null;
  return groups.map((group) => parseInt(group, 16));
}

/** The text form of an address: dotted quad, or RFC 5952 canonical IPv6. */
export function formatIp(family: 4 | 6, bytes: Uint8Array): string {
  if (family === 4 && bytes.length === 4) return bytes.join(".");
  if (family !== 6 || bytes.length !== 16) {
    throw new TypeError(`formatIp: ${bytes.length} bytes is not an IPv${family} address`);
  }
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5), as inet_ntop writes them.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `::ffff:${bytes.subarray(12).join(".")}`;
  }
  // The longest run of zero groups becomes "::", the leftmost on a tie; a lone zero group
  // stays "0" (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && words[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const groups = words.map((word) => word.toString(16));
  if (bestStart < 0) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLength).join(":")}`;
}

// ---------------------------------------------------------------------------
// /etc/hosts and /etc/resolv.conf

/** Fields of a configuration line: whitespace-separated, after any comment is cut off. */
function fields(line: string, comment: RegExp): string[] {
  const cut = line.search(comment);
  return (cut >= 0 ? line.slice(0, cut) : line).split(/[ \t\r\f\v]+/).filter((field) => field !== "");
}

/**
 * /etc/hosts: each lower-cased name to its addresses (canonical text, no duplicates) in file
 * order. Lines whose address does not parse are skipped, as glibc does.
 */
export function parseHosts(text: string): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const [address, ...names] = fields(line, /#/);
    const ip = address === undefined ? null : parseIp(address);
    if (!ip) continue;
    const canonical = formatIp(ip.family, ip.bytes);
    for (const name of names) {
      const key = name.toLowerCase();
      let addresses = hosts.get(key);
      if (!addresses) hosts.set(key, (addresses = []));
      if (!addresses.includes(canonical)) addresses.push(canonical);
    }
  }
  return hosts;
}

/**
 * /etc/resolv.conf, with glibc's defaults and limits: at most 3 nameservers (127.0.0.1 if
 * none), `domain` and `search` each replacing the search list (the last one wins), and
 * `options` timeout (1-30 s), attempts (1-5) and ndots (0-15). glibc would take timeout:0 as
 * 1 s and attempts:0 as "never ask"; both are raised to 1 here. Other options are ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = {
    nameservers: [],
    timeoutMs: DEFAULT_TIMEOUT_S * 1000,
    attempts: DEFAULT_ATTEMPTS,
    search: [],
    ndots: DEFAULT_NDOTS,
  };
  for (const line of text.split("\n")) {
    const [keyword, ...args] = fields(line, /[#;]/);
    switch (keyword) {
      case "nameserver": {
        const ip = args.length > 0 ? parseIp(args[0]) : null;
        if (ip && conf.nameservers.length < MAX_NAMESERVERS) conf.nameservers.push(formatIp(ip.family, ip.bytes));
        break;
      }
      case "domain":
      case "search":
        // The root domain adds nothing: the name as given is tried anyway.
        conf.search = (keyword === "domain" ? args.slice(0, 1) : args)
          .map((domain) => domain.replace(/\.$/, ""))
          .filter((domain) => domain !== "");
        break;
      case "options":
        for (const option of args) {
          const match = /^(timeout|attempts|ndots):([0-9]+)$/.exec(option);
          if (!match) continue;
          const n = Number(match[2]);
          if (match[1] === "timeout") conf.timeoutMs = Math.min(Math.max(n, 1), MAX_TIMEOUT_S) * 1000;
          else if (match[1] === "attempts") conf.attempts = Math.min(Math.max(n, 1), MAX_ATTEMPTS);
          else conf.ndots = Math.min(n, MAX_NDOTS);
        }
        break;
    }
  }
  if (conf.nameservers.length === 0) conf.nameservers.push("127.0.0.1");
  return conf;
}

// ---------------------------------------------------------------------------
// DNS messages (RFC 1035 §4)

function invalidName(name: string, why: string): Error {
  return new Error(`Invalid hostname ${JSON.stringify(name)}: ${why}`);
}

/** The labels of `name` (no trailing dot), or throws if DNS cannot carry it. */
function labelsOf(name: string): string[] {
  if (name === "") throw invalidName(name, "it is empty");
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code > 0x7e) throw invalidName(name, "non-ASCII names (IDN) are not supported");
    if (code <= 0x20) throw invalidName(name, "it contains a space or control character");
  }
  if (name.length > MAX_NAME_TEXT) throw invalidName(name, `it is longer than ${MAX_NAME_TEXT} characters`);
  const labels = name.split(".");
  for (const label of labels) {
    if (label === "") throw invalidName(name, "it has an empty label");
    if (label.length > MAX_LABEL) throw invalidName(name, `it has a label longer than ${MAX_LABEL} characters`);
  }
  return labels;
}

function isValidName(name: string): boolean {
  try {
    labelsOf(name);
    return true;
  } catch {
    return false;
  }
}

/** A standard query for `name` (one trailing dot allowed): recursion desired, one question, class IN. */
export function encodeQuery(id: number, name: string, type: 1 | 28): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new RangeError(`DNS query id ${id} is not 16 bits`);
  if (type !== TYPE_A && type !== TYPE_AAAA) throw new TypeError(`DNS query type ${type} is not A (1) or AAAA (28)`);
  const labels = labelsOf(name.endsWith(".") ? name.slice(0, -1) : name);
  let length = HEADER_LENGTH + 1 + 4;
  for (const label of labels) length += 1 + label.length;
  const packet = new Uint8Array(length);
  const view = new DataView(packet.buffer);
  view.setUint16(0, id);
  view.setUint16(2, 0x0100); // RD
  view.setUint16(4, 1); // QDCOUNT
  let offset = HEADER_LENGTH;
  for (const label of labels) {
    packet[offset++] = label.length;
    for (let i = 0; i < label.length; i++) packet[offset++] = label.charCodeAt(i);
  }
  packet[offset++] = 0;
  view.setUint16(offset, type);
  view.setUint16(offset + 2, CLASS_IN);
  return packet;
}

function malformed(why: string): Error {
  return new Error(`Malformed DNS response: ${why}`);
}

/** How names are compared: ASCII lower case, no trailing dot. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * The name at `start`, lower-cased and dotted ("" for the root), and where it ends in place.
 * Each compression pointer must lead strictly before the previous one's target (or the name's
 * start): encoders only point back at names already written, and this makes every walk finish,
 * whatever cycles a message contains.
 */
function readName(bytes: Uint8Array, start: number): { name: string; end: number } {
  let name = "";
  let offset = start;
  let limit = start; // pointers must lead below this
  let end = -1; // where the name ends in place: after the first pointer, or after the root label
  let wireLength = 1;
  for (;;) {
    if (offset >= bytes.length) throw malformed("a name runs past the end of the message");
    const length = bytes[offset];
    if (length === 0) {
      if (end < 0) end = offset + 1;
      return { name, end };
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (offset + 1 >= bytes.length) throw malformed("a name runs past the end of the message");
      const target = ((length & 0x3f) << 8) | bytes[offset + 1];
      if (target >= limit) throw malformed(`a compression pointer at byte ${offset} does not point back`);
      if (end < 0) end = offset + 2;
      offset = limit = target;
      continue;
    }
    if (kind !== 0) throw malformed(`unsupported label type 0x${kind.toString(16)} at byte ${offset}`);
    if (offset + 1 + length > bytes.length) throw malformed("a name runs past the end of the message");
    wireLength += 1 + length;
    if (wireLength > MAX_NAME_WIRE) throw malformed(`a name is longer than ${MAX_NAME_WIRE} bytes`);
    let label = "";
    for (let i = offset + 1; i <= offset + length; i++) {
      const c = bytes[i];
      // A "." or "\" inside a label is escaped, so that such a label cannot pass for two.
      label += c === 0x2e || c === 0x5c ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c);
    }
    name += (name === "" ? "" : ".") + label.toLowerCase();
    offset += 1 + length;
  }
}

/**
 * The addresses of type `type` in a reply to query `id`. Only records owned by the question's
 * name or an alias of it (through CNAMEs in the answer, in any order) count; other records are
 * ignored. If `name` is given, the question must be for it. A reply to a different query, or
 * anything malformed, throws. Answers are parsed only when rcode is 0; in a truncated reply
 * they are read up to the first one that is cut off.
 */
export function parseResponse(bytes: Uint8Array, id: number, type: 1 | 28, name?: string): DnsResponse {
  if (bytes.length < HEADER_LENGTH) throw malformed(`${bytes.length} bytes is shorter than a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const replyId = view.getUint16(0);
  if (replyId !== id) throw new Error(`DNS response id ${replyId} does not match query id ${id}`);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0) throw malformed("the QR bit is clear (it is a query)");
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) throw malformed(`opcode ${opcode} is not a standard query`);
  const truncated = (flags & 0x0200) !== 0;
  const rcode = flags & 0xf;
  const questions = view.getUint16(4);
  const answers = view.getUint16(6);

  // Error replies may leave the question out (FORMERR replies do); answers must carry it.
  if (questions > 1 || (questions === 0 && rcode === 0)) throw malformed(`${questions} questions, not 1`);
  let offset = HEADER_LENGTH;
  let question = "";
  if (questions === 1) {
    const read = readName(bytes, offset);
    offset = read.end;
    if (offset + 4 > bytes.length) throw malformed("the question runs past the end of the message");
    const questionType = view.getUint16(offset);
    const questionClass = view.getUint16(offset + 2);
    offset += 4;
    if (questionType !== type || questionClass !== CLASS_IN) {
      throw new Error(`DNS response is for type ${questionType} class ${questionClass}, not type ${type} class IN`);
    }
    question = read.name;
    if (name !== undefined && question !== normalizeName(name)) {
      throw new Error(`DNS response is for ${JSON.stringify(question)}, not ${JSON.stringify(normalizeName(name))}`);
    }
  }
  if (rcode !== 0) return { rcode, addresses: [], truncated };

  const aliases: [string, string][] = [];
  const found: [string, string][] = [];
  for (let i = 0; i < answers; i++) {
    try {
      const owner = readName(bytes, offset);
      const data = owner.end + 10;
      if (data > bytes.length) throw malformed(`answer ${i + 1} runs past the end of the message`);
      const recordType = view.getUint16(owner.end);
      const recordClass = view.getUint16(owner.end + 2);
      const end = data + view.getUint16(owner.end + 8);
      if (end > bytes.length) throw malformed(`answer ${i + 1} runs past the end of the message`);
      if (recordClass === CLASS_IN && recordType === TYPE_CNAME) {
        const target = readName(bytes, data);
        if (target.end !== end) throw malformed(`the CNAME in answer ${i + 1} does not fill its data`);
        aliases.push([owner.name, target.name]);
      } else if (recordClass === CLASS_IN && recordType === type) {
        const size = type === TYPE_A ? 4 : 16;
        if (end - data !== size) throw malformed(`answer ${i + 1} has ${end - data} bytes of address, not ${size}`);
        found.push([owner.name, formatIp(type === TYPE_A ? 4 : 6, bytes.slice(data, end))]);
      }
      offset = end;
    } catch (error) {
      if (truncated) break;
      throw error;
    }
  }

  // Follow CNAMEs from the question; each pass adds an alias or ends the loop.
  const names = new Set([question]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [from, to] of aliases) {
      if (names.has(from) && !names.has(to)) {
        names.add(to);
        grew = true;
      }
    }
  }
  const addresses = found.filter(([owner]) => names.has(owner)).map(([, address]) => address);
  return { rcode, addresses, truncated };
}

// ---------------------------------------------------------------------------
// Resolving

interface Server {
  host: string;
  port: number;
}

/** What asking every server for one name and type came to. */
interface Outcome {
  /** null: a server answered (addresses may be empty); "ENOTFOUND": NXDOMAIN; else why none answered. */
  code: string | null;
  addresses: string[];
  /** The server that answered, to ask first next time. */
  server: number;
}

function lookupError(code: string, hostname: string, cause?: unknown): LookupError {
  const error = new Error(`getaddrinfo ${code} ${hostname}`, cause === undefined ? undefined : { cause }) as LookupError;
  error.code = code;
  error.hostname = hostname;
  error.syscall = "getaddrinfo";
  return error;
}

function parseServer(entry: string): Server {
  const ip = typeof entry === "string" ? parseIp(entry) : null;
  if (ip) return { host: formatIp(ip.family, ip.bytes), port: DNS_PORT };
  const match = typeof entry === "string" ? /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(entry) : null;
  if (match) {
    const bracketed = match[1] !== undefined;
    const host = parseIp(bracketed ? match[1] : match[2]);
    const port = Number(match[3]);
    if (host && bracketed === (host.family === 6) && port >= 1 && port <= 0xffff) {
      return { host: formatIp(host.family, host.bytes), port };
    }
  }
  throw new TypeError(`Invalid nameserver ${JSON.stringify(entry)}: expected "1.2.3.4", "::1", "1.2.3.4:53" or "[::1]:53"`);
}

function ipv4First(addresses: string[]): string[] {
  return [...addresses.filter((a) => !a.includes(":")), ...addresses.filter((a) => a.includes(":"))];
}

/** Asks the servers in turn, starting at `first`, for `attempts` rounds, until one answers. */
function ask(io: ResolverIo, servers: Server[], conf: ResolvConf, name: string, type: 1 | 28, first: number): Outcome {
  // Any reply says more than silence, so a timeout is reported only if every try timed out.
  let failure = "ETIMEOUT";
  const ids = new Uint16Array(1);
  for (let round = 0; round < conf.attempts; round++) {
    for (let k = 0; k < servers.length; k++) {
      const index = (first + k) % servers.length;
      const server = servers[index];
      // A random id makes a forged reply guess it (RFC 5452).
      const id = crypto.getRandomValues(ids)[0];
      const reply = io.query(server.host, server.port, encodeQuery(id, name, type), conf.timeoutMs);
      if (reply === null) continue;
      let response: DnsResponse;
      try {
        response = parseResponse(reply, id, type, name);
      } catch {
        failure = "EBADRESP"; // malformed, or a reply to another query
        continue;
      }
      // NXDOMAIN is an answer about the name, so asking other servers would not change it.
      if (response.rcode === RCODE_NXDOMAIN) return { code: "ENOTFOUND", addresses: [], server: index };
      if (response.rcode !== 0) {
        failure = RCODE_ERRORS[response.rcode] ?? "EBADRESP";
        continue;
      }
      if (response.truncated && response.addresses.length === 0) {
        failure = "EBADRESP";
        continue;
      }
      return { code: null, addresses: response.addresses, server: index };
    }
  }
  return { code: failure, addresses: [], server: first };
}

/**
 * The addresses of `name` (A, then AAAA), [] if it has none or does not exist, or throws if
 * the servers could not say. One family's addresses are enough even if the other's query
 * failed (but not if every A query timed out).
 */
function lookupName(io: ResolverIo, servers: Server[], conf: ResolvConf, name: string, hostname: string): string[] {
  const a = ask(io, servers, conf, name, TYPE_A, 0);
  if (a.code === "ENOTFOUND") return []; // AAAA would say the same
  // Every server was silent: asking again for AAAA would only double the wait.
  if (a.code === "ETIMEOUT") throw lookupError(a.code, hostname);
  const aaaa = ask(io, servers, conf, name, TYPE_AAAA, a.server);
  const addresses = [...new Set([...a.addresses, ...aaaa.addresses])];
  if (addresses.length > 0) return addresses;
  const failure = [a.code, aaaa.code].find((code) => code !== null && code !== "ENOTFOUND");
  if (failure) throw lookupError(failure, hostname);
  return [];
}

/**
 * The addresses of `hostname`, IPv4 first: a numeric address is itself (in canonical form);
 * then /etc/hosts; then `localhost` and `*.localhost` are loopback and `invalid` and
 * `*.invalid` do not exist (RFC 6761); then DNS, with resolv.conf's servers, search list and
 * options (`options.nameservers` replaces only the servers; an empty list means no DNS).
 *
 * A name containing ":", or whose last label is all digits (no top-level domain is, RFC 3696
 * §2), is not looked up in DNS: that keeps malformed or inet_aton-style addresses such as
 * "127.1" or "0x7f.0.0.1" from being read as names. Nor is one DNS cannot carry (see
 * encodeQuery); the error's cause says why.
 *
 * Throws a LookupError: ENOTFOUND if the name does not exist or has no addresses; ETIMEOUT if
 * no server replied; ESERVFAIL, EREFUSED, ENOTIMP, EFORMERR or EBADRESP (malformed, mismatched
 * or truncated-empty replies) if servers replied without an answer.
 */
function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`resolve: ${what} must be a positive number, got ${value}`);
  return value;
}

export function resolve(hostname: string, io: ResolverIo, options: ResolveOptions = {}): string[] {
  if (typeof hostname !== "string") throw new TypeError(`resolve: hostname must be a string, not ${typeof hostname}`);
  const ip = parseIp(hostname);
  if (ip) return [formatIp(ip.family, ip.bytes)];

  // A trailing dot marks the name as complete: it is stripped, and the search list is not used.
  const absolute = hostname.endsWith(".");
  const name = absolute ? hostname.slice(0, -1) : hostname;
  const key = name.toLowerCase();

  const fromHosts = parseHosts(io.readFile(HOSTS_PATH) ?? "").get(key);
  if (fromHosts) return ipv4First(fromHosts);
  if (key === "localhost" || key.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  if (key === "invalid" || key.endsWith(".invalid")) throw lookupError("ENOTFOUND", hostname);

  if (name.includes(":") || /(?:^|\.)[0-9]+$/.test(name)) throw lookupError("ENOTFOUND", hostname);
  try {
    labelsOf(name);
  } catch (cause) {
    throw lookupError("ENOTFOUND", hostname, cause);
  }

  const conf = parseResolvConf(io.readFile(RESOLV_CONF_PATH) ?? "");
  if (options.timeoutMs !== undefined) conf.timeoutMs = positive(options.timeoutMs, "timeoutMs");
  if (options.attempts !== undefined) conf.attempts = positive(options.attempts, "attempts");
  const servers = (options.nameservers ?? conf.nameservers).map(parseServer);
  if (servers.length === 0) throw lookupError("ENOTFOUND", hostname);

  let candidates = [name];
  const dots = name.split(".").length - 1;
  if (!absolute && dots < conf.ndots && conf.search.length > 0) {
    // Search domains that would make the name too long are skipped.
    candidates = [...conf.search.map((domain) => `${name}.${domain}`).filter(isValidName), name];
  }
  // A server failure ends the search rather than moving on: a later candidate's answer
  // could be the wrong host.
  for (const candidate of candidates) {
    const addresses = lookupName(io, servers, conf, candidate, hostname);
    if (addresses.length > 0) return ipv4First(addresses);
  }
  throw lookupError("ENOTFOUND", hostname);
}
