// Installs the globals every program sees, before the main module runs.
//
// Start-up time is a feature: only what even a hello-world touches is loaded here. Larger
// globals (URL, events, structuredClone, …) are accessors that load their module on first
// use and then replace themselves with a plain value.

import ops from "uringy:ops";
import { console } from "./console.ts";
import { setTimeout, setInterval, clearTimeout, clearInterval } from "./timers.ts";
import { process } from "./process.ts";
import { performance } from "./performance.ts";

const { op_loader_require, op_util_report_uncaught } = ops;

function define(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/** `name` becomes the export `exportName` of the standard-library module `module` when first read. */
function lazy(name: string, module: string, exportName: string = name): void {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = op_loader_require(module)[exportName];
      define(name, value);
      return value;
    },
    set(value: unknown) {
      define(name, value);
    },
  });
}

define("console", console);
define("setTimeout", setTimeout);
define("setInterval", setInterval);
define("clearTimeout", clearTimeout);
define("clearInterval", clearInterval);
define("process", process);
define("performance", performance);
define("reportError", (error: unknown) => op_util_report_uncaught(error));

lazy("TextEncoder", "uringy:internal/encoding");
lazy("TextDecoder", "uringy:internal/encoding");
lazy("URL", "uringy:internal/url");
lazy("URLSearchParams", "uringy:internal/url");
lazy("crypto", "uringy:internal/crypto");
lazy("structuredClone", "uringy:internal/structured_clone");
for (const name of ["Event", "CustomEvent", "EventTarget", "AbortController", "AbortSignal"]) {
  lazy(name, "uringy:internal/events");
}

// queueMicrotask, DOMException, atob and btoa are the engine's own (quickjs-ng installs them):
// an error thrown by a microtask reaches the runtime's job loop, which reports it as uncaught,
// as Node does. One difference is fixed here: WebIDL requires atob's and btoa's argument, and
// without one they throw a TypeError (as in Node), where the engine would encode "undefined".
// `performance` is the runtime's (above): the engine's timeOrigin does not count from the
// Unix epoch, and it has no toJSON.
for (const name of ["atob", "btoa"] as const) {
  const engine = globalThis[name];
  const checked = {
    [name](data: string): string {
      if (arguments.length === 0) throw new TypeError(`${name}: the "data" argument must be specified`);
      return engine(data);
    },
  }[name];
  define(name, checked);
}

/** How the runtime prints an error that reached the top: as console.error would. */
export function formatError(error: unknown): string {
  return (op_loader_require("uringy:internal/inspect").inspectUncaught as (v: unknown) => string)(error);
}
