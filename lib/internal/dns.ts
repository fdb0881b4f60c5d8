// The hostname resolver: numeric addresses, /etc/hosts, then DNS over UDP, in the spirit of
// getaddrinfo(). Every file read and every datagram goes through an injected ResolverIo, so
// this module does no IO of its own and is tested with a fake server; uringy:net supplies the
// real one. There is no async here: in Uringy a call that waits suspends only its fiber.
//
// The standard formats are read and written by crates (runtime/src/ops/dns.rs): DNS messages
// by hickory-proto, resolv.conf by resolv-conf, numeric addresses by Rust's std::net; the
// hosts file is a few lines below. What is decided here is the policy. See docs/io.md, "Name
// resolution".
//
// Decisions, and where this departs from glibc:
// - Numeric IPv4 is the strict dotted quad of inet_pton: no "127.1", no hex, and no leading
//   zeros ("01.2.3.4" is octal to inet_aton and decimal to others, so it is refused outright).
// - IPv6 zone ids ("fe80::1%eth0") are refused, in resolv.conf too: bytes cannot carry a zone, and dropping it
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

import ops from "uringy:ops";

const {
  op_dns_encode_query,
  op_dns_parse_response,
  op_dns_name_error,
  op_dns_parse_ip,
  op_dns_format_ip,
  op_dns_parse_resolv_conf,
} = ops;

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
const TYPE_AAAA = 28;
const RCODE_NXDOMAIN = 3;
const DNS_PORT = 53;

// glibc's limits (resolv.h: MAXNS, RES_MAXNDOTS, RES_MAXRETRANS, RES_MAXRETRY); its defaults
// (timeout 5 s, attempts 2, ndots 1) are resolv-conf's too.
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
// Numeric addresses (std::net's parsers and formatter, op_dns_*_ip)

/** A numeric IPv4 or IPv6 address (IPv6 optionally in brackets), or null if `text` is not one. */
export function parseIp(text: string): ParsedIp | null {
  if (typeof text !== "string") return null;
  const bytes = op_dns_parse_ip(text);
  return bytes === undefined ? null : { family: bytes.length === 4 ? 4 : 6, bytes };
}

/** The text form of an address: dotted quad, or RFC 5952 canonical IPv6. */
export function formatIp(family: 4 | 6, bytes: Uint8Array): string {
  if (bytes.length !== (family === 4 ? 4 : family === 6 ? 16 : -1)) {
    throw new TypeError(`formatIp: ${bytes.length} bytes is not an IPv${family} address`);
  }
  return op_dns_format_ip(bytes);
}

/** The canonical text of a numeric address, or null if `text` is not one. */
function canonicalIp(text: string): string | null {
  const ip = parseIp(text);
  return ip && formatIp(ip.family, ip.bytes);
}

// ---------------------------------------------------------------------------
// /etc/hosts and /etc/resolv.conf

/**
 * /etc/hosts (hosts(5)): each lower-cased name to its addresses (canonical text, no
 * duplicates) in file order. Lines whose address does not parse are skipped, as glibc does.
 * This stays a few lines here: the crates that parse the file read it from a path themselves
 * and stop at the first line they cannot read.
 */
export function parseHosts(text: string): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const cut = line.indexOf("#");
    const [address, ...names] = (cut >= 0 ? line.slice(0, cut) : line).split(/[ \t\r\f\v]+/).filter((field) => field !== "");
    const canonical = address === undefined ? null : canonicalIp(address);
    if (canonical === null) continue;
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
 * /etc/resolv.conf (read by the resolv-conf crate, op_dns_parse_resolv_conf), with glibc's
 * defaults and limits: at most 3 nameservers (127.0.0.1 if none), `domain` and `search` each
 * replacing the search list (the last one wins), and `options` timeout (1-30 s), attempts (1-5)
 * and ndots (0-15). glibc would take timeout:0 as 1 s and attempts:0 as "never ask"; both are
 * raised to 1 here. Other options, and lines that do not parse, are ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const parsed = op_dns_parse_resolv_conf(text);
  const nameservers = parsed.nameservers.slice(0, MAX_NAMESERVERS);
  return {
    nameservers: nameservers.length > 0 ? nameservers : ["127.0.0.1"],
    timeoutMs: Math.min(Math.max(parsed.timeout, 1), MAX_TIMEOUT_S) * 1000,
    attempts: Math.min(Math.max(parsed.attempts, 1), MAX_ATTEMPTS),
    // The root domain adds nothing: the name as given is tried anyway.
    search: parsed.search.map((domain) => domain.replace(/\.$/, "")).filter((domain) => domain !== ""),
    ndots: Math.min(parsed.ndots, MAX_NDOTS),
  };
}

// ---------------------------------------------------------------------------
// DNS messages (RFC 1035 §4), encoded and decoded by hickory-proto (op_dns_*)

/** Throws if DNS cannot carry `name` (no trailing dot): empty, not printable ASCII, or too long. */
function checkName(name: string): void {
  const why = op_dns_name_error(name);
  if (why !== undefined) throw new Error(`Invalid hostname ${JSON.stringify(name)}: ${why}`);
}

/** A standard query for `name` (one trailing dot allowed): recursion desired, one question, class IN. */
export function encodeQuery(id: number, name: string, type: 1 | 28): Uint8Array {
  return op_dns_encode_query(id, name, type);
}

/**
 * The addresses of type `type` in a reply to query `id`. Only records owned by the question's
 * name or an alias of it (through CNAMEs in the answer, in any order) count; other records are
 * ignored. If `name` is given, the question must be for it. A reply to a different query, or
 * anything malformed, throws. Answers are parsed only when rcode is 0; in a truncated reply
 * they are read up to the first one that is cut off.
 */
export function parseResponse(bytes: Uint8Array, id: number, type: 1 | 28, name?: string): DnsResponse {
  const [rcode, addresses, truncated] = op_dns_parse_response(bytes, id, type, name);
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

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`resolve: ${what} must be a positive number, got ${value}`);
  return value;
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
    checkName(name);
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
    candidates = [...conf.search.map((domain) => `${name}.${domain}`).filter((candidate) => op_dns_name_error(candidate) === undefined), name];
  }
  // A server failure ends the search rather than moving on: a later candidate's answer
  // could be the wrong host.
  for (const candidate of candidates) {
    const addresses = lookupName(io, servers, conf, candidate, hostname);
    if (addresses.length > 0) return ipv4First(addresses);
  }
  throw lookupError("ENOTFOUND", hostname);
}
