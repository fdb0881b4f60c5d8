// The fs benchmark on Node: VARIANT (first argument) is
//   sync      readFileSync, writeFileSync, statSync, readdirSync(withFileTypes) in a plain loop
//   promises  fs.promises (readFile, writeFile, stat, readdir(withFileTypes)), each awaited
//             before the next
//   all       fs.promises, all N calls started at once and Promise.all (a batch, not sequential)
// Usage: node node.mjs VARIANT OP DIR SHAPE N SIZE [X] — the rest as in uringy.ts.
import fs from "node:fs";
import { main } from "./common.mjs";

const [variant, ...args] = process.argv.slice(2);
const withTypes = { withFileTypes: true };
const isFile = (e) => e.isFile();
const apis = {
  sync: {
    readFile: (p) => fs.readFileSync(p),
    writeFile: (p, data) => fs.writeFileSync(p, data),
    size: (p) => fs.statSync(p).size,
    readDir: (p) => fs.readdirSync(p, withTypes),
    isFile,
  },
  promises: {
    readFile: (p) => fs.promises.readFile(p),
    writeFile: (p, data) => fs.promises.writeFile(p, data),
    size: async (p) => (await fs.promises.stat(p)).size,
    readDir: (p) => fs.promises.readdir(p, withTypes),
    isFile,
  },
};
const style = { sync: "sync", promises: "sequence", all: "batch" }[variant];
if (style === undefined) throw new Error(`node.mjs: unknown variant ${variant}`);
await main(args, `node-${variant}`, style, variant === "sync" ? apis.sync : apis.promises);
