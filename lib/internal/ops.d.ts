// The native ops (runtime/src/ops/*.rs), the default export of the internal module
// `uringy:ops`. Only lib/ may import it.
declare module "uringy:ops" {
  type Bytes = ArrayBuffer | ArrayBufferView;
  const ops: {
    op_crypto_random_fill(view: ArrayBufferView): void;
    op_dns_encode_query(id: number, name: string, type: 1 | 28): Uint8Array<ArrayBuffer>;
    op_dns_parse_response(bytes: Uint8Array, id: number, type: 1 | 28, name?: string): [rcode: number, addresses: string[], truncated: boolean];
    /** Why DNS cannot carry `name` (no trailing dot), or undefined if it can. */
    op_dns_name_error(name: string): string | undefined;
    /** The 4 or 16 bytes of a numeric address (IPv6 optionally in brackets). */
    op_dns_parse_ip(text: string): Uint8Array<ArrayBuffer> | undefined;
    op_dns_format_ip(bytes: Uint8Array): string;
    /** resolv.conf as written, with glibc's defaults; timeout in seconds. */
    op_dns_parse_resolv_conf(text: string): { nameservers: string[]; search: string[]; ndots: number; timeout: number; attempts: number };
    op_io_write_sync(fd: 1 | 2, data: string | Bytes): void;
    op_io_isatty(fd: number): boolean;
    op_loader_require(name: string): Record<string, unknown>;
    op_fs_open(path: string, flags: number, mode: number): object;
    op_fs_read_file(path: string): Uint8Array<ArrayBuffer>;
    op_fs_write_file(path: string, data: Uint8Array, append: boolean, mode: number): void;
    op_fs_copy_file(from: string, to: string): void;
    op_fs_read_at(file: object, buf: Uint8Array, offset: number): number;
    op_fs_write_at(file: object, data: Uint8Array, offset: number): number;
    op_fs_seek(file: object, offset: number, whence: number): number;
    op_fs_sync(file: object): void;
    op_fs_truncate(file: object, length: number): void;
    /** size, mode, mtimeMs, atimeMs, ctimeMs, birthtimeMs (NaN when unknown) */
    op_fs_stat(path: string, follow: boolean): [number, number, number, number, number, number];
    op_fs_fstat(file: object): [number, number, number, number, number, number];
    op_fs_exists(path: string): boolean;
    op_fs_mkdir(path: string, mode: number): void;
    op_fs_unlink(path: string, dir: boolean): void;
    op_fs_rename(from: string, to: string): void;
    op_fs_symlink(target: string, path: string): void;
    op_fs_read_dir(path: string): { name: string; isFile: boolean; isDirectory: boolean; isSymlink: boolean }[];
    op_fs_read_link(path: string): string;
    op_fs_real_path(path: string): string;
    op_fs_chmod(path: string, mode: number): void;
    // A descriptor argument may be undefined (a stream moved into its halves): the op throws
    // a TypeError then.
    /** Bytes read, 0 at end of stream; throws `Cancelled` or a system error. */
    op_io_read(descriptor: object | undefined, buf: Uint8Array): number;
    op_io_write(descriptor: object | undefined, data: Uint8Array): number;
    op_io_copy(from: object, to: object): number;
    op_io_close(descriptor: object): void;
    op_io_std(fd: number): object;
    op_net_listen(host: string, port: number, unix: boolean, backlog: number, reusePort: boolean): object;
    op_net_accept(listener: object): [socket: object, peerHostname: string, peerPort: number];
    op_net_connect(host: string, port: number, unix: boolean): object;
    op_net_address(socket: object | undefined): [hostname: string, port: number];
    op_net_set_nodelay(socket: object | undefined, on: boolean): void;
    op_net_shutdown(socket: object | undefined, reading?: boolean): void;
    op_net_udp_bind(host: string, port: number, reusePort: boolean): object;
    op_thread_place(): [number, number];
    op_net_unlisten(listener: object): void;
    op_thread_send(to: number, message: unknown, skipEnded: boolean): void;
    op_thread_recv(): [number, unknown] | symbol;
    op_net_send_to(socket: object, data: Uint8Array, host: string, port: number): number;
    op_net_recv_from(socket: object, buf: Uint8Array): [bytes: number, hostname: string, port: number];
    op_process_argv(): string[];
    op_process_env(): Record<string, string>;
    op_process_exit(code: number): never;
    op_process_cwd(): string;
    op_process_chdir(dir: string): void;
    op_process_pid(): number;
    op_process_version(): string;
    /** The number of the signal received, or `cancelMark`. */
    op_process_wait_signal(signals: number[]): number | symbol;
    op_process_listen_signal(signal: number, delta: 1 | -1): void;
    op_process_signal_dispatcher(dispatch: () => void): void;
    op_process_take_signals(): number[];
    op_test_set_deadline(ms: number): void;
    op_text_encode(text: string): ArrayBuffer;
    op_text_encode_into(text: string, dest: Uint8Array): [read: number, written: number];
    op_text_decode(view: Bytes, encoding: string, fatal: boolean, stripBom: boolean, stream: boolean): [text: string, keep: number];
    op_text_encoding_name(label: string): string | undefined;
    op_time_now(): number;
    op_time_origin(): number;
    op_timer_start(callback: () => void, ms: number, repeat: boolean): number;
    op_timer_clear(id: number): void;
    op_timer_start_unref(callback: () => void, ms: number): number;
    op_url_parse(input: string, base?: string): UrlParts | undefined;
    op_url_set(href: string, part: string, value: string): UrlParts;
    op_fiber_register(cancelled: Function, cancelMark: symbol): void;
    /** Records the new task's id in `record[0]`. */
    op_fiber_spawn(fn: () => unknown, record: unknown[], fiber: object): void;
    op_fiber_current(): number;
    /** The `Fiber` of a running fiber, or sets it with its record. */
    op_fiber_handle(id: number, record?: unknown[], fiber?: object): object | undefined;
    op_fiber_join(id: number): 0 | 1;
    op_fiber_cancel(id: number): void;
    op_fiber_is_cancelled(id: number): boolean;
    op_fiber_yield(): 0 | 1;
    /** Throws `Cancelled` when cancelled. */
    op_fiber_sleep(ms: number): void;
    op_fiber_checkpoint(): boolean;
    /** The value, or `cancelMark`; throws the reason of a rejection. */
    op_fiber_wait(promise: unknown): unknown;
    op_fiber_park_token(): number;
    /** The value unparked with, or `cancelMark`. */
    op_fiber_park(token: number): unknown;
    op_fiber_unpark(token: number, value: unknown): boolean;
    op_fiber_scope_enter(ms: number): number;
    op_fiber_scope_exit(scope: number): [timedOut: boolean, failures: unknown[]];
    op_fiber_shield(delta: 1 | -1): void;
    op_util_promise_state(promise: Promise<unknown>): [state: 0 | 1 | 2, value: unknown];
    op_util_report_uncaught(error: unknown): void;
  };
  /** href, protocol, username, password, host, hostname, port, pathname, search, hash, origin */
  export type UrlParts = [string, string, string, string, string, string, string, string, string, string, string];
  export default ops;
}
