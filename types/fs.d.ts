/**
 * `uringy:fs` — files and directories through the thread's io_uring: a call that waits
 * suspends only the calling fiber. Errors from the system carry `code` ("ENOENT", "EACCES",
 * …), `errno`, `syscall` and `path`, and a message naming them.
 *
 * File names are bytes on Linux: a name that is not UTF-8 is given to JS with each invalid byte
 * as a lone surrogate U+DC80–U+DCFF, and that string names the same file when passed back.
 */
declare module "uringy:fs" {
  import type { Reader, Writer } from "uringy:io";

  export interface Stat {
    size: number;
    mode: number;
    isFile: boolean;
    isDirectory: boolean;
    isSymlink: boolean;
    mtimeMs: number;
    atimeMs: number;
    ctimeMs: number;
    /** null where the file system does not record it. */
    birthtimeMs: number | null;
  }

  export interface DirEntry {
    name: string;
    isFile: boolean;
    isDirectory: boolean;
    isSymlink: boolean;
  }

  /** Reads a whole file. */
  export function readFile(path: string): Uint8Array<ArrayBuffer>;
  /** Reads a whole file as UTF-8; bytes that are not UTF-8 become U+FFFD (as TextDecoder). */
  export function readTextFile(path: string): string;
  /** Writes all of `data` (replacing the file, or at its end with `append`), or throws. */
  export function writeFile(path: string, data: Uint8Array | string, options?: { append?: boolean; mode?: number }): void;
  /** How `open` opens a file: `create`, `truncate` and `createNew` need `write` or `append`. */
  export interface OpenOptions {
    read?: boolean;
    write?: boolean;
    /** Every write goes to the end of the file. */
    append?: boolean;
    /** Make the file if it is missing (with `mode`, 0o666 before the umask). */
    create?: boolean;
    /** Empty the file. */
    truncate?: boolean;
    /** Make the file, failing with EEXIST if it exists. */
    createNew?: boolean;
    mode?: number;
  }

  /** Opens a file, by default for reading only. */
  export function open(path: string, options?: OpenOptions): File;

  export class File implements Reader, Writer {
    private constructor();
    readonly path: string;
    /** Reads from the current position: bytes read (at most 1 MiB a call), 0 at end of file. */
    read(buf: Uint8Array): number;
    /** Writes all of `data` at the current position; its length in bytes. */
    write(data: Uint8Array | string): number;
    /** Reads at `offset` without moving the position: bytes read (at most 1 MiB a call, as
     *  read(2) may return fewer than asked), 0 at end of file. */
    readAt(buf: Uint8Array, offset: number): number;
    /** Writes all of `data` at `offset` without moving the position. */
    writeAt(data: Uint8Array | string, offset: number): number;
    /** Moves the position; returns it. */
    seek(offset: number, whence?: "start" | "current" | "end"): number;
    stat(): Stat;
    /** Waits until data and metadata are on the device. */
    sync(): void;
    truncate(length?: number): void;
    close(): void;
    [Symbol.dispose](): void;
  }

  export function stat(path: string): Stat;
  export function lstat(path: string): Stat;
  /** Whether `path` exists (a dangling symlink does not); other errors are thrown. */
  export function exists(path: string): boolean;
  export function readDir(path: string): DirEntry[];
  export function mkdir(path: string, options?: { recursive?: boolean; mode?: number }): void;
  export function remove(path: string, options?: { recursive?: boolean }): void;
  export function rename(from: string, to: string): void;
  /** Copies bytes and permissions; the bytes never pass through JS. */
  export function copyFile(from: string, to: string): void;
  export function symlink(target: string, path: string): void;
  export function readLink(path: string): string;
  export function realPath(path: string): string;
  export function chmod(path: string, mode: number): void;
  /** Makes a new directory (mode 0o700) under $TMPDIR or /tmp; returns its path. */
  export function makeTempDir(prefix?: string): string;
}
