// `uringy:fs` — files and directories through the thread's io_uring: a fiber doing file IO
// suspends only itself (runtime/src/ops/fs/ says which calls are direct, and why they are
// bounded). Errors carry `code`, `syscall` and `path`.
//
// Names: Linux file names are bytes. One that is not UTF-8 reaches JS with each invalid byte
// as a lone surrogate U+DC80–U+DCFF, and that string names the same file when given back.

import ops from "uringy:ops";
import { descriptor, toBytes } from "./internal/stream.ts";

export interface Stat {
  size: number;
  mode: number;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  mtimeMs: number;
  atimeMs: number;
  ctimeMs: number;
  birthtimeMs: number | null;
}

export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

export interface OpenOptions {
  read?: boolean;
  write?: boolean;
  append?: boolean;
  create?: boolean;
  truncate?: boolean;
  createNew?: boolean;
  mode?: number;
}

const S_IFMT = 0o170000, S_IFREG = 0o100000, S_IFDIR = 0o040000, S_IFLNK = 0o120000;
const O_WRONLY = 0o1, O_RDWR = 0o2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;

function checkPath(path: unknown, what: string): string {
  if (typeof path !== "string") throw new TypeError(`${what}: path must be a string, got ${typeof path}`);
  return path;
}

function toStat([size, mode, mtimeMs, atimeMs, ctimeMs, birthtimeMs]: [number, number, number, number, number, number]): Stat {
  const type = mode & S_IFMT;
  return {
    size, mode, isFile: type === S_IFREG, isDirectory: type === S_IFDIR, isSymlink: type === S_IFLNK,
    mtimeMs, atimeMs, ctimeMs, birthtimeMs: Number.isNaN(birthtimeMs) ? null : birthtimeMs,
  };
}

function checkMode(mode: number | undefined, fallback: number, what: string): number {
  if (mode === undefined) return fallback;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new RangeError(`${what}: mode must be an integer from 0 to 0o7777, got ${mode}`);
  return mode;
}

function checkData(data: unknown, what: string): Uint8Array | string {
  if (typeof data !== "string" && !(data instanceof Uint8Array)) {
    throw new TypeError(`${what}: data must be a string or a Uint8Array, got ${data === null ? "null" : typeof data}`);
  }
  return data;
}

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** Reads a whole file. */
export function readFile(path: string): Uint8Array<ArrayBuffer> {
  return ops.op_fs_read_file(checkPath(path, "readFile"));
}

const decoder = new TextDecoder();

/** Reads a whole file as UTF-8 text. Bytes that are not UTF-8 become U+FFFD, as
 *  TextDecoder does (a leading byte-order mark is dropped). */
export function readTextFile(path: string): string {
  return decoder.decode(readFile(path));
}

/** Writes all of `data` to `path` (created with `mode`, 0o666 before the umask, or replaced;
 *  with `append`, added at its end), or throws. */
export function writeFile(path: string, data: Uint8Array | string, options: { append?: boolean; mode?: number } = {}): void {
  const bytes = toBytes(checkData(data, "writeFile"));
  ops.op_fs_write_file(checkPath(path, "writeFile"), bytes, options.append ?? false, checkMode(options.mode, 0o666, "writeFile"));
}

function openFlags(options: OpenOptions): number {
  const { read = false, write = false, append = false, create = false, truncate = false, createNew = false } = options;
  const writes = write || append;
  if ((create || createNew || truncate) && !writes) {
    throw new TypeError("open: create, createNew and truncate need write or append");
  }
  let flags = writes ? (read ? O_RDWR : O_WRONLY) : 0; // 0: read-only
  if (append) flags |= O_APPEND;
  if (truncate) flags |= O_TRUNC;
  if (createNew) flags |= O_CREAT | O_EXCL;
  else if (create) flags |= O_CREAT;
  return flags;
}

/** Opens a file; by default for reading. */
export function open(path: string, options: OpenOptions = { read: true }): File {
  checkPath(path, "open");
  return new File(ops.op_fs_open(path, openFlags(options), checkMode(options.mode, 0o666, "open")), path);
}

const WHENCE = { start: 0, current: 1, end: 2 } as const;

export class File {
  readonly [descriptor]: object;
  readonly path: string;

  constructor(handle: object, path: string) {
    this[descriptor] = handle;
    this.path = path;
  }

  /** Runs `op`; a system error it throws gets this file's path, as errors of path calls have. */
  #named<T>(op: () => T): T {
    try {
      return op();
    } catch (e) {
      if (e instanceof Error && "syscall" in e && !("path" in e)) {
        Object.assign(e, { path: this.path });
        e.message += ` '${this.path}'`;
      }
      throw e;
    }
  }

  /** Reads from the current position: bytes read, 0 at end of file. */
  read(buf: Uint8Array): number {
    return this.#named(() => ops.op_io_read(this[descriptor], buf));
  }

  /** Writes all of `data` at the current position (at the end with `append`). */
  write(data: Uint8Array | string): number {
    return this.#named(() => ops.op_io_write(this[descriptor], toBytes(checkData(data, "write"))));
  }

  /** Reads at `offset`, leaving the position alone: bytes read, 0 at end of file. */
  readAt(buf: Uint8Array, offset: number): number {
    return this.#named(() => ops.op_fs_read_at(this[descriptor], buf, checkOffset(offset)));
  }

  /** Writes all of `data` at `offset`, leaving the position alone. */
  writeAt(data: Uint8Array | string, offset: number): number {
    return this.#named(() => ops.op_fs_write_at(this[descriptor], toBytes(checkData(data, "writeAt")), checkOffset(offset)));
  }

  /** Moves the position; returns it. */
  seek(offset: number, whence: "start" | "current" | "end" = "start"): number {
    const w = WHENCE[whence];
    if (w === undefined) throw new TypeError(`seek: whence must be "start", "current" or "end", got ${String(whence)}`);
    if (!Number.isSafeInteger(offset)) throw new TypeError(`seek: offset must be an integer, got ${offset}`);
    return this.#named(() => ops.op_fs_seek(this[descriptor], offset, w));
  }

  stat(): Stat {
    return toStat(this.#named(() => ops.op_fs_fstat(this[descriptor])));
  }

  /** Waits until the file's data and metadata are on the device (fsync). */
  sync(): void {
    this.#named(() => ops.op_fs_sync(this[descriptor]));
  }

  truncate(length = 0): void {
    this.#named(() => ops.op_fs_truncate(this[descriptor], checkOffset(length)));
  }

  close(): void {
    ops.op_io_close(this[descriptor]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function checkOffset(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`offset must be a non-negative integer, got ${n}`);
  return n;
}

export function stat(path: string): Stat {
  return toStat(ops.op_fs_stat(checkPath(path, "stat"), true));
}

/** As `stat`, but about a symbolic link itself rather than what it points to. */
export function lstat(path: string): Stat {
  return toStat(ops.op_fs_stat(checkPath(path, "lstat"), false));
}

/** Whether `path` exists (a dangling symlink does not). Errors other than "no such file" are
 *  thrown. */
export function exists(path: string): boolean {
  return ops.op_fs_exists(checkPath(path, "exists"));
}

export function readDir(path: string): DirEntry[] {
  return ops.op_fs_read_dir(checkPath(path, "readDir"));
}

/** Makes a directory (mode 0o777 before the umask); with `recursive`, its missing parents
 *  too, and an existing directory is no error. */
export function mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
  checkPath(path, "mkdir");
  const mode = checkMode(options.mode, 0o777, "mkdir");
  if (!options.recursive) return ops.op_fs_mkdir(path, mode);
  try {
    ops.op_fs_mkdir(path, mode);
  } catch (e) {
    if (codeOf(e) === "EEXIST" && stat(path).isDirectory) return;
    if (codeOf(e) !== "ENOENT") throw e;
    const parent = path.replace(/\/+[^/]*\/*$/, "");
    if (parent === "" || parent === path) throw e;
    mkdir(parent, options);
    try {
      ops.op_fs_mkdir(path, mode);
    } catch (again) {
      // Made meanwhile by another fiber or process.
      if (codeOf(again) !== "EEXIST" || !stat(path).isDirectory) throw again;
    }
  }
}

/** Removes a file, a symbolic link (not what it points to) or an empty directory; with
 *  `recursive`, a directory and everything in it. */
export function remove(path: string, options: { recursive?: boolean } = {}): void {
  checkPath(path, "remove");
  if (!lstat(path).isDirectory) return ops.op_fs_unlink(path, false);
  if (options.recursive) {
    for (const entry of readDir(path)) remove(`${path}/${entry.name}`, options);
  }
  ops.op_fs_unlink(path, true);
}

/** Renames (moves) `from` to `to`, replacing a file there. */
export function rename(from: string, to: string): void {
  ops.op_fs_rename(checkPath(from, "rename"), checkPath(to, "rename"));
}

/** Copies a file's bytes and permissions; the bytes never pass through JS. */
export function copyFile(from: string, to: string): void {
  ops.op_fs_copy_file(checkPath(from, "copyFile"), checkPath(to, "copyFile"));
}

/** Makes `path` a symbolic link to `target`. */
export function symlink(target: string, path: string): void {
  ops.op_fs_symlink(checkPath(target, "symlink"), checkPath(path, "symlink"));
}

export function readLink(path: string): string {
  return ops.op_fs_read_link(checkPath(path, "readLink"));
}

/** The absolute path with every symbolic link, "." and ".." resolved. */
export function realPath(path: string): string {
  return ops.op_fs_real_path(checkPath(path, "realPath"));
}

export function chmod(path: string, mode: number): void {
  ops.op_fs_chmod(checkPath(path, "chmod"), checkMode(mode, 0, "chmod"));
}

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Makes a new directory only we can use (0o700) under $TMPDIR (or /tmp); its path. */
export function makeTempDir(prefix = "uringy-"): string {
  const base = (process.env.TMPDIR || "/tmp").replace(/\/+$/, "") || "/";
  for (;;) {
    const random = crypto.getRandomValues(new Uint8Array(10));
    const name = prefix + Array.from(random, (b) => NAME_CHARS[b % NAME_CHARS.length]).join("");
    const path = `${base}/${name}`;
    try {
      ops.op_fs_mkdir(path, 0o700);
      return path;
    } catch (e) {
      if (codeOf(e) !== "EEXIST") throw e;
    }
  }
}
