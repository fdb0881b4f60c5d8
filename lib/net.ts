// `uringy:net` — TCP, Unix and UDP sockets whose calls that wait suspend only their fiber.
//
// Hostnames are resolved here (lib/internal/dns.ts: numbers, /etc/hosts, then DNS over this
// module's own UDP sockets; the files are read with uringy:fs), so the native side only ever
// sees numeric addresses.

import ops from "uringy:ops";
import { Cancelled, sleep, timeout, TimeoutError } from "uringy:fiber";
import { resolve as resolveWith, type ResolveOptions, type ResolverIo } from "./internal/dns.ts";
import { descriptor, internal, SocketStream, toBytes } from "./internal/stream.ts";
import { readTextFile } from "./fs.ts";
import { threadCount } from "./internal/thread_place.ts";

export interface Addr {
  hostname: string;
  port: number;
}

/** As long a listen queue as the kernel allows (it caps the backlog at net.core.somaxconn, as
 *  Go relies on): a burst of connections waits in the queue instead of being dropped and
 *  retried a second later. */
const DEFAULT_BACKLOG = 65535;

function checkPort(port: unknown, what: string): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${what}: port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  return port;
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string, got ${typeof value}`);
  return value;
}

function addrOf(handle: object | undefined): Addr {
  const [hostname, port] = ops.op_net_address(handle);
  return { hostname, port };
}

// ----- resolving ---------------------------------------------------------------------------

const resolverIo: ResolverIo = {
  readFile(path) {
    try {
      return readTextFile(path);
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      return null; // no /etc/hosts or resolv.conf: the resolver's defaults apply
    }
  },
  query(host, port, packet, timeoutMs) {
    const socket = UdpSocket.bind(0, host.includes(":") ? "::" : "0.0.0.0");
    try {
      socket.sendTo(packet, host, port);
      const buf = new Uint8Array(65536);
      return timeout(timeoutMs, () => {
        for (;;) {
          const { bytes, from } = socket.recvFrom(buf);
          if (from.port === port) return buf.slice(0, bytes);
        }
      });
    } catch (e) {
      if (e instanceof TimeoutError) return null;
      const code = (e as { code?: string }).code;
      if (code === "ECONNREFUSED" || code === "ENETUNREACH" || code === "EHOSTUNREACH") return null;
      throw e;
    } finally {
      socket.close();
    }
  },
};

/** The addresses of `hostname`, IPv4 first: a numeric address is itself; then /etc/hosts,
 *  `localhost`, and DNS with /etc/resolv.conf's servers (or `options.nameservers`, each
 *  "1.2.3.4", "::1", "1.2.3.4:5353" or "[::1]:5353"; `timeoutMs` and `attempts` override
 *  resolv.conf's). Waits only the calling fiber. Throws an
 *  error with `code` ENOTFOUND, ETIMEOUT, … and `hostname`. */
export function resolve(hostname: string, options?: ResolveOptions): string[] {
  return resolveWith(checkString(hostname, "hostname"), resolverIo, options);
}

// ----- TCP ---------------------------------------------------------------------------------

/** The listener's accept, surviving what a busy server runs into: a connection reset before it
 *  was accepted is skipped, and running out of descriptors (EMFILE) backs off — 5 ms doubling
 *  to 1 s — until descriptors free up, with one warning per episode. */
function acceptFrom(handle: object, where: string): [socket: object, peerHostname: string, peerPort: number] {
  let delay = 0;
  for (;;) {
    try {
      return ops.op_net_accept(handle);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ECONNABORTED") continue;
      if (code !== "EMFILE" && code !== "ENFILE" && code !== "ENOBUFS" && code !== "ENOMEM") throw e;
      if (delay === 0) {
        console.warn(`uringy: accept on ${where}: ${(e as Error).message}; retrying until descriptors are free`);
      }
      delay = delay === 0 ? 5 : Math.min(delay * 2, 1000);
      sleep(delay);
    }
  }
}

/** What TCP and Unix listeners share: accepting with back-off, `incoming()`, closing. */
abstract class Listener<S> {
  readonly [descriptor]: object;
  #closed = false;

  constructor(token: symbol, handle: object) {
    if (token !== internal) throw new TypeError(`${new.target.name} cannot be constructed directly; use ${new.target.name}.bind()`);
    this[descriptor] = handle;
  }

  /** Waits for the next connection. */
  abstract accept(): S;

  /** Every connection, as they come; ends when the listener is closed. Not a generator: a
   *  generator's frame would keep the last connection referenced (and so open) until the next
   *  one arrives. */
  incoming(): IterableIterator<S> {
    const next = (): IteratorResult<S> => {
      try {
        return { value: this.accept(), done: false };
      } catch (e) {
        if (this.#closed) return { value: undefined, done: true };
        throw e;
      }
    };
    return { next, [Symbol.iterator]() { return this; } } as IterableIterator<S>;
  }

  close(): void {
    this.#closed = true;
    ops.op_io_close(this[descriptor]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export class TcpListener extends Listener<TcpStream> {
  /** The address it listens on (port 0 binds a free port, shown here). */
  readonly addr: Addr;

  constructor(token: symbol, handle: object) {
    super(token, handle);
    this.addr = addrOf(handle);
  }

  /** Listens on `hostname:port` (default "0.0.0.0"; "::" takes IPv6 and IPv4). Under
   *  `--threads`, `reusePort` is on unless turned off: every thread listens on the port, and
   *  the kernel spreads new connections over them (rule 13). */
  static bind(port: number, hostname = "0.0.0.0", options: { reusePort?: boolean; backlog?: number } = {}): TcpListener {
    checkPort(port, "TcpListener.bind");
    const [ip] = resolve(hostname);
    const reusePort = options.reusePort ?? threadCount > 1;
    const handle = ops.op_net_listen(ip, port, false, options.backlog ?? DEFAULT_BACKLOG, reusePort);
    return new TcpListener(internal, handle);
  }

  /** Stops listening. Under `--threads`, connections already queued on this thread's
   *  listener go to another thread that listens on the address, not lost (rule 13). */
  override close(): void {
    ops.op_net_unlisten(this[descriptor]);
    super.close();
  }

  accept(): TcpStream {
    const { hostname, port } = this.addr;
    const where = hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
    const [socket, peerHostname, peerPort] = acceptFrom(this[descriptor], where);
    return new TcpStream(internal, socket, peerHostname, peerPort);
  }
}

export class TcpStream extends SocketStream {
  // The peer's address, known from the start: it stays known once the peer has gone.
  readonly #peerHostname: string;
  readonly #peerPort: number;

  constructor(token: symbol, handle: object, peerHostname: string, peerPort: number) {
    super(token, handle);
    this.#peerHostname = peerHostname;
    this.#peerPort = peerPort;
  }

  /** Connects to `hostname:port`, trying each of its addresses in turn. */
  static connect(hostname: string, port: number): TcpStream {
    checkPort(port, "TcpStream.connect");
    let last: unknown;
    for (const ip of resolve(hostname)) {
      try {
        return new TcpStream(internal, ops.op_net_connect(ip, port, false), ip, port);
      } catch (e) {
        if ((e as { code?: string }).code === undefined) throw e; // Cancelled, not a refusal
        last = e;
      }
    }
    throw last;
  }

  /** Nagle's algorithm off (`true`, the default) sends small writes at once. */
  setNoDelay(on: boolean): void {
    ops.op_net_set_nodelay(this.socket, on);
  }

  get localAddr(): Addr {
    return addrOf(this.socket);
  }

  get remoteAddr(): Addr {
    return { hostname: this.#peerHostname, port: this.#peerPort };
  }
}

// ----- Unix --------------------------------------------------------------------------------

export class UnixListener extends Listener<UnixStream> {
  readonly path: string;

  constructor(token: symbol, handle: object, path: string) {
    super(token, handle);
    this.path = path;
  }

  /** Listens on a Unix socket at `path` (which must not exist; closing leaves it, as in Deno). */
  static bind(path: string): UnixListener {
    checkString(path, "UnixListener.bind: path");
    return new UnixListener(internal, ops.op_net_listen(path, 0, true, DEFAULT_BACKLOG, false), path);
  }

  accept(): UnixStream {
    return new UnixStream(internal, acceptFrom(this[descriptor], this.path)[0]);
  }
}

export class UnixStream extends SocketStream {
  static connect(path: string): UnixStream {
    checkString(path, "UnixStream.connect: path");
    return new UnixStream(internal, ops.op_net_connect(path, 0, true));
  }
}

// ----- UDP ---------------------------------------------------------------------------------

export class UdpSocket {
  readonly [descriptor]: object;
  readonly addr: Addr;
  #ipv6: boolean;

  constructor(token: symbol, handle: object) {
    if (token !== internal) throw new TypeError("UdpSocket cannot be constructed directly; use UdpSocket.bind()");
    this[descriptor] = handle;
    this.addr = addrOf(handle);
    this.#ipv6 = this.addr.hostname.includes(":");
  }

  /** A socket bound to `hostname:port` (default "0.0.0.0"; port 0 picks a free one). Under
   *  `--threads`, `reusePort` is on unless turned off, as for `TcpListener.bind`. */
  static bind(port: number, hostname = "0.0.0.0", options: { reusePort?: boolean } = {}): UdpSocket {
    checkPort(port, "UdpSocket.bind");
    const [ip] = resolve(hostname);
    return new UdpSocket(internal, ops.op_net_udp_bind(ip, port, options.reusePort ?? threadCount > 1));
  }

  /** Sends one datagram; the bytes sent. */
  sendTo(data: Uint8Array | string, hostname: string, port: number): number {
    checkPort(port, "UdpSocket.sendTo");
    const addresses = resolve(hostname);
    // An IPv4 socket reaches IPv4 addresses only; an IPv6 one prefers IPv6.
    const ip = this.#ipv6 ? (addresses.find((a) => a.includes(":")) ?? `::ffff:${addresses[0]}`) : addresses.find((a) => !a.includes(":"));
    if (ip === undefined) {
      throw Object.assign(new Error(`EAFNOSUPPORT: ${hostname} has no IPv4 address for this IPv4 socket, sendto`), { code: "EAFNOSUPPORT", syscall: "sendto" });
    }
    return ops.op_net_send_to(this[descriptor], toBytes(data), ip, port);
  }

  /** Waits for one datagram, copied into `buf` (cut to its length). */
  recvFrom(buf: Uint8Array): { bytes: number; from: Addr } {
    const [bytes, hostname, port] = ops.op_net_recv_from(this[descriptor], buf);
    return { bytes, from: { hostname, port } };
  }

  close(): void {
    ops.op_io_close(this[descriptor]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
