// The fs benchmark on Deno: VARIANT (first argument) is
//   sync   Deno.readFileSync, Deno.writeFileSync, Deno.statSync, Array.from(Deno.readDirSync) in a
//          plain loop
//   async  Deno.readFile, Deno.writeFile, Deno.stat, Deno.readDir (collected with for await),
//          each awaited before the next
// Usage: deno run --allow-read --allow-write deno.mjs VARIANT OP DIR SHAPE N SIZE [X] — the
// rest as in uringy.ts.
import { main } from "./common.mjs";

const [variant, ...args] = Deno.args;
const isFile = (e) => e.isFile;
const apis = {
  sync: {
    readFile: (p) => Deno.readFileSync(p),
    writeFile: (p, data) => Deno.writeFileSync(p, data),
    size: (p) => Deno.statSync(p).size,
    readDir: (p) => Array.from(Deno.readDirSync(p)),
    isFile,
  },
  async: {
    readFile: (p) => Deno.readFile(p),
    writeFile: (p, data) => Deno.writeFile(p, data),
    size: async (p) => (await Deno.stat(p)).size,
    readDir: async (p) => {
      const entries = [];
      for await (const e of Deno.readDir(p)) entries.push(e);
      return entries;
    },
    isFile,
  },
};
if (apis[variant] === undefined) throw new Error(`deno.mjs: unknown variant ${variant}`);
await main(args, `deno-${variant}`, variant === "sync" ? "sync" : "sequence", apis[variant]);
