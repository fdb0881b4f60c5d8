// The fs benchmark on Bun: VARIANT (first argument) is
//   native  Bun's own API, each call awaited before the next: await Bun.file(p).bytes(),
//           await Bun.write(p, data), await Bun.file(p).stat(); Bun has no directory listing of
//           its own, so readdir is skipped (the sync variant has it)
//   sync    node:fs readFileSync, writeFileSync, statSync, readdirSync(withFileTypes) in a plain
//           loop, as node.mjs sync
// Usage: bun bun.mjs VARIANT OP DIR SHAPE N SIZE [X] — the rest as in uringy.ts.
import fs from "node:fs";
import { main } from "./common.mjs";

const [variant, ...args] = process.argv.slice(2);
const apis = {
  native: {
    readFile: (p) => Bun.file(p).bytes(),
    writeFile: (p, data) => Bun.write(p, data),
    size: async (p) => (await Bun.file(p).stat()).size,
  },
  sync: {
    readFile: (p) => fs.readFileSync(p),
    writeFile: (p, data) => fs.writeFileSync(p, data),
    size: (p) => fs.statSync(p).size,
    readDir: (p) => fs.readdirSync(p, { withFileTypes: true }),
    isFile: (e) => e.isFile(),
  },
};
if (apis[variant] === undefined) throw new Error(`bun.mjs: unknown variant ${variant}`);
await main(args, `bun-${variant}`, variant === "sync" ? "sync" : "sequence", apis[variant]);
