/**
 * `uringy:net` — TCP, Unix and UDP sockets. Calls that wait (accept, connect, read, write,
 * recvFrom, resolving a name) suspend only the calling fiber. Errors from the system carry
 * `code` ("ECONNREFUSED", "EADDRINUSE", …), `errno`, `syscall`, and `address`/`port`.
 * A socket no longer referenced anywhere is closed; `close()` and `using` close it explicitly.
 */
declare module "uringy:net" {
  import type { Reader, Writer } from "uringy:io";

  export interface Addr {
    hostname: string;
    port: number;
  }

  /** The addresses of `hostname`, IPv4 first: a numeric address is itself; then /etc/hosts,
   *  `localhost`, and DNS (servers from /etc/resolv.conf, or `options.nameservers`, each
   *  "1.2.3.4", "::1", "1.2.3.4:5353" or "[::1]:5353"; `timeoutMs` per reply and `attempts`
   *  override resolv.conf's). Throws an error with `code` ENOTFOUND, ETIMEOUT, … and
   *  `hostname`. */
  export function resolve(hostname: string, options?: { nameservers?: string[]; timeoutMs?: number; attempts?: number }): string[];

  export class TcpListener {
    private constructor();
    /** Listens on `hostname:port` (default "0.0.0.0"; "::" takes IPv6 and IPv4; port 0 picks a
     *  free port). `backlog` defaults to the kernel's cap
     *  (net.core.somaxconn). `reusePort` (SO_REUSEPORT) is on by default under `--threads`, so
     *  that every thread listens on the port and the kernel spreads connections over them. */
    static bind(port: number, hostname?: string, options?: { reusePort?: boolean; backlog?: number }): TcpListener;
    /** Waits for the next connection. Out of descriptors (EMFILE), it backs off and retries. */
    accept(): TcpStream;
    /** Every connection as it comes; ends when the listener is closed. */
    incoming(): IterableIterator<TcpStream>;
    readonly addr: Addr;
    close(): void;
    [Symbol.dispose](): void;
  }

  export interface ReadHalf extends Reader {
    close(): void;
    [Symbol.dispose](): void;
  }
  export interface WriteHalf extends Writer {
    write(data: Uint8Array | string): number;
    /** Ends our sending side: the peer reads end of stream. */
    close(): void;
    [Symbol.dispose](): void;
  }

  interface Stream extends Reader, Writer {
    /** Reads once into `buf`: bytes read, 0 at end of stream. */
    read(buf: Uint8Array): number;
    /** Writes all of `data`; returns its length in bytes. */
    write(data: Uint8Array | string): number;
    /** Two halves usable from two fibers at once. The socket moves into them: use the stream
     *  through them afterwards. The socket is closed once both halves are closed (or no longer
     *  referenced); closing the writer half ends our sending side. */
    split(): [ReadHalf, WriteHalf];
    /** Ends our sending side: the peer reads end of stream. */
    shutdown(): void;
    close(): void;
    [Symbol.dispose](): void;
  }

  export class TcpStream implements Stream {
    private constructor();
    /** Connects to `hostname:port`, trying each of its addresses in turn. */
    static connect(hostname: string, port: number): TcpStream;
    read(buf: Uint8Array): number;
    write(data: Uint8Array | string): number;
    split(): [ReadHalf, WriteHalf];
    /** Nagle's algorithm off (`true`, the default) sends small writes at once. */
    setNoDelay(on: boolean): void;
    shutdown(): void;
    readonly localAddr: Addr;
    readonly remoteAddr: Addr;
    close(): void;
    [Symbol.dispose](): void;
  }

  export class UdpSocket {
    private constructor();
    /** A socket bound to `hostname:port` (default "0.0.0.0"; port 0 picks a free one).
     *  `reusePort` is on by default under `--threads`, as for `TcpListener.bind`. */
    static bind(port: number, hostname?: string, options?: { reusePort?: boolean }): UdpSocket;
    /** Sends one datagram; returns the bytes sent. */
    sendTo(data: Uint8Array | string, hostname: string, port: number): number;
    /** Waits for one datagram, copied into `buf` (cut to its length). */
    recvFrom(buf: Uint8Array): { bytes: number; from: Addr };
    readonly addr: Addr;
    close(): void;
    [Symbol.dispose](): void;
  }

  export class UnixListener {
    private constructor();
    /** Listens on a Unix socket at `path`, which must not exist yet (closing leaves it). */
    static bind(path: string): UnixListener;
    accept(): UnixStream;
    incoming(): IterableIterator<UnixStream>;
    readonly path: string;
    close(): void;
    [Symbol.dispose](): void;
  }

  export class UnixStream implements Stream {
    private constructor();
    static connect(path: string): UnixStream;
    read(buf: Uint8Array): number;
    write(data: Uint8Array | string): number;
    split(): [ReadHalf, WriteHalf];
    shutdown(): void;
    close(): void;
    [Symbol.dispose](): void;
  }
}
