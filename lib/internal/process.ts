// `process`: arguments, environment, directory, exit — what Node programs reach for.

import ops from "uringy:ops";

const { op_process_argv, op_process_env, op_process_exit, op_process_cwd, op_process_chdir, op_process_pid,
  op_process_version, op_io_write_sync, op_io_isatty } = ops;

// The engine's, taken now: a program that replaces the global does not change nextTick.
const { queueMicrotask } = globalThis;

let env: Record<string, string> | undefined;

function stream(fd: 1 | 2) {
  return {
    fd,
    get isTTY(): boolean {
      return op_io_isatty(fd);
    },
    write(data: string | Uint8Array): boolean {
      op_io_write_sync(fd, data);
      return true;
    },
  };
}

const version = op_process_version();

export const process = {
  argv: op_process_argv(),
  /**
   * A snapshot of the environment taken on first use; changes stay in this process. As in
   * Node, values assigned to it become strings (`env.PORT = 8080` gives "8080").
   */
  get env(): Record<string, string> {
    return (env ??= new Proxy(op_process_env(), {
      set: (target, name, value) => Reflect.set(target, name, String(value)),
    }));
  },
  set env(value: Record<string, string>) {
    env = value;
  },
  exitCode: undefined as number | undefined,
  /** Ends the process at once, with `code` or else `process.exitCode` (default 0). */
  exit(code?: number): never {
    return op_process_exit(code ?? process.exitCode ?? 0);
  },
  pid: op_process_pid(),
  platform: "linux" as const,
  arch: "x64" as const,
  version: `v${version}`,
  versions: { uringy: version },
  cwd: (): string => op_process_cwd(),
  chdir: (dir: string): void => op_process_chdir(String(dir)),
  nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void {
    // Checked now, as Node does, rather than failing later as an uncaught error.
    if (typeof callback !== "function") {
      throw new TypeError(`The "callback" argument must be a function, received ${callback === null ? "null" : typeof callback}`);
    }
    queueMicrotask(() => callback(...args));
  },
  stdout: stream(1),
  stderr: stream(2),
};
