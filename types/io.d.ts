/**
 * `uringy:io` — readers, writers, and the standard streams, read and written through the
 * thread's io_uring: a call that waits suspends only the calling fiber.
 */
declare module "uringy:io" {
  export interface Reader {
    /** Reads once into `buf`: the number of bytes read; 0 means end of stream. */
    read(buf: Uint8Array): number;
  }
  export interface Writer {
    /** Writes all of `data` (short writes are retried); returns its length. */
    write(data: Uint8Array): number;
  }
  /** Copies until `from` reaches end of stream; returns the bytes copied. A peer that resets
   *  the connection or goes away (ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT) ends the stream
   *  too, instead of failing the fiber (and with it, a server). Between two sockets, files or
   *  standard streams, the bytes never pass through JS. */
  export function copy(from: Reader, to: Writer): number;
  /** Reads until end of stream; returns everything read. */
  export function readAll(from: Reader): Uint8Array;
  export const stdin: Reader & { close(): void };
  export const stdout: Writer & { write(data: Uint8Array | string): number };
  export const stderr: Writer & { write(data: Uint8Array | string): number };
}
