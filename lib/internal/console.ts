// `console`, printing values the way Node does (see inspect.ts).
//
// Plain strings are written without loading the formatter, so a hello-world never pays for
// it; anything else loads inspect.ts on first use.

import ops from "uringy:ops";
import type { InspectOptions } from "./inspect.ts";

const { op_io_write_sync, op_io_isatty, op_loader_require, op_time_now, op_process_env } = ops;

type Inspect = typeof import("./inspect.ts");
let inspectModule: Inspect | undefined;
function formatter(): Inspect {
  if (inspectModule === undefined) {
    inspectModule = op_loader_require("uringy:internal/inspect") as unknown as Inspect;
    inspectModule.setPromiseStateHook((promise) => {
      const [state, value] = ops.op_util_promise_state(promise);
      return state === 0 ? { state: "pending" } : { state: state === 1 ? "fulfilled" : "rejected", value };
    });
  }
  return inspectModule;
}

/** Colors as Node decides them: a terminal gets them unless NO_COLOR; FORCE_COLOR forces. */
const colorCache: { [fd: number]: boolean } = {};
function useColors(fd: 1 | 2): boolean {
  let colors = colorCache[fd];
  if (colors === undefined) {
    const env = op_process_env();
    colors = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0"
      ? true
      : env.NO_COLOR === undefined && env.TERM !== "dumb" && op_io_isatty(fd);
    colorCache[fd] = colors;
  }
  return colors;
}

let groupIndent = "";

function print(fd: 1 | 2, args: unknown[]): void {
  let text: string;
  if (args.every((a) => typeof a === "string") && (args.length === 0 || !(args[0] as string).includes("%"))) {
    text = args.join(" ");
  } else {
    text = formatter().formatWithOptions({ colors: useColors(fd) }, ...args);
  }
  if (groupIndent !== "") {
    text = groupIndent + text.replaceAll("\n", "\n" + groupIndent);
  }
  op_io_write_sync(fd, text + "\n");
}

const counts = new Map<string, number>();
const timers = new Map<string, number>();

function elapsed(label: string): string | undefined {
  const start = timers.get(label);
  if (start === undefined) {
    print(2, [`Warning: No such label '${label}' for console.timeEnd()`]);
    return undefined;
  }
  const ms = op_time_now() - start;
  return ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`;
}

export const console = {
  log: (...args: unknown[]): void => print(1, args),
  info: (...args: unknown[]): void => print(1, args),
  debug: (...args: unknown[]): void => print(1, args),
  warn: (...args: unknown[]): void => print(2, args),
  error: (...args: unknown[]): void => print(2, args),
  trace(...args: unknown[]): void {
    const stack = (new Error().stack ?? "").split("\n").slice(1).join("\n");
    print(2, [`Trace${args.length ? ": " + formatter().format(...args) : ""}\n${stack}`]);
  },
  dir(value: unknown, options?: InspectOptions): void {
    op_io_write_sync(1, groupIndent + formatter().inspect(value, { colors: useColors(1), ...options }) + "\n");
  },
  assert(condition: unknown, ...args: unknown[]): void {
    if (!condition) {
      print(2, args.length ? ["Assertion failed:", ...args] : ["Assertion failed"]);
    }
  },
  count(label = "default"): void {
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    print(1, [`${label}: ${n}`]);
  },
  countReset(label = "default"): void {
    counts.delete(label);
  },
  time(label = "default"): void {
    if (timers.has(label)) {
      print(2, [`Warning: Label '${label}' already exists for console.time()`]);
      return;
    }
    timers.set(label, op_time_now());
  },
  timeLog(label = "default", ...args: unknown[]): void {
    const time = elapsed(label);
    if (time !== undefined) print(1, [`${label}: ${time}`, ...args]);
  },
  timeEnd(label = "default"): void {
    const time = elapsed(label);
    if (time !== undefined) {
      timers.delete(label);
      print(1, [`${label}: ${time}`]);
    }
  },
  group(...args: unknown[]): void {
    if (args.length) print(1, args);
    groupIndent += "  ";
  },
  groupEnd(): void {
    groupIndent = groupIndent.slice(2);
  },
  table(data: unknown, columns?: string[]): void {
    op_io_write_sync(1, renderTable(data, columns) + "\n");
  },
};
Object.assign(console, { groupCollapsed: console.group });

/** Node's box-drawing table: an index column, then one column per key (or `Values`). */
function renderTable(data: unknown, only?: string[]): string {
  if (data === null || typeof data !== "object") {
    return formatter().inspect(data);
  }
  const show = (v: unknown) => formatter().inspect(v, { depth: 1, breakLength: Infinity });
  const rows: [string, Map<string, string>, string | undefined][] = [];
  const keys: string[] = [];
  const entries: [unknown, unknown][] = data instanceof Map ? [...data.entries()]
    : data instanceof Set ? [...data].map((v, i) => [i, v])
    : Object.entries(data);
  let hasValues = false;
  for (const [index, row] of entries) {
    const cells = new Map<string, string>();
    let value: string | undefined;
    if (row !== null && typeof row === "object") {
      for (const [k, v] of Object.entries(row)) {
        if (only && !only.includes(k)) continue;
        if (!keys.includes(k)) keys.push(k);
        cells.set(k, show(v));
      }
    } else {
      value = show(row);
      hasValues = true;
    }
    rows.push([typeof index === "string" ? index : show(index), cells, value]);
  }
  const header = ["(index)", ...(only ?? keys), ...(hasValues ? ["Values"] : [])];
  const body = rows.map(([index, cells, value]) => [
    index,
    ...(only ?? keys).map((k) => cells.get(k) ?? ""),
    ...(hasValues ? [value ?? ""] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)) + 2);
  const line = (l: string, m: string, r: string) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (cells: string[]) =>
    "│" + cells.map((c, i) => {
      const left = Math.floor((widths[i] - c.length) / 2);
      return " ".repeat(left) + c + " ".repeat(widths[i] - c.length - left);
    }).join("│") + "│";
  return [line("┌", "┬", "┐"), row(header), line("├", "┼", "┤"), ...body.map(row), line("└", "┴", "┘")].join("\n");
}
