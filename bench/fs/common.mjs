// The fs benchmark's loops for Node, Bun and Deno: the same logic as uringy.ts, run with one
// runtime's API. node.mjs, bun.mjs and deno.mjs pick the API and call main(); see uringy.ts
// for OP DIR SHAPE N SIZE [X]. Three ways to call an API:
//   "sync"      plain loop of synchronous calls, as uringy.ts
//   "sequence"  the same loop awaiting each call before the next
//   "batch"     all N calls started at once, then Promise.all (X calls at once for readdir)
// api: { readFile(p) -> Uint8Array, writeFile(p, data), size(p) -> stat's size,
//        readDir(p) -> entries, isFile(entry) } (async for "sequence" and "batch"); a missing
// function prints { skipped } instead of a result.

export async function main(args, variant, style, api) {
  const [op, dir, shape, nArg, sizeArg, x] = args;
  const n = Number(nArg);
  const size = Number(sizeArg);
  const warmCount = n >= 10 ? Math.ceil(n / 10) : 0;
  const name = (i) => "f" + String(i).padStart(5, "0");
  const paths = (under, count) => Array.from({ length: count }, (_, i) => `${under}/${name(i)}`);
  const fail = (message) => {
    throw new Error(`${op} ${shape}: ${message}`);
  };
  const print = (fields) => console.log(JSON.stringify({ op, shape, variant, ...fields }));

  const fn = { read: api.readFile, write: api.writeFile, stat: api.size, readdir: api.readDir }[op];
  if (fn === undefined) {
    print({ skipped: `no ${op} in this API` });
    return;
  }

  const checkData = (p, data) => {
    if (data.length !== size) fail(`${p}: ${data.length} bytes, expected ${size}`);
    return data[0] + data[data.length - 1];
  };
  const countFiles = (entries) => {
    if (entries.length !== n) fail(`${entries.length} entries, expected ${n}`);
    let files = 0;
    for (const e of entries) if (api.isFile(e)) files++;
    return files;
  };

  // Each returns what the uringy.ts loop returns: read → check, stat → total size,
  // readdir → files in the last listing.
  const loops = {
    sync: {
      read(list) {
        let check = 0;
        for (const p of list) check += checkData(p, api.readFile(p));
        return check;
      },
      write(list, data) {
        for (const p of list) api.writeFile(p, data);
      },
      stat(list) {
        let total = 0;
        for (const p of list) total += api.size(p);
        return total;
      },
      readdir(path, times) {
        let files = 0;
        for (let i = 0; i < times; i++) files = countFiles(api.readDir(path));
        return files;
      },
    },
    sequence: {
      async read(list) {
        let check = 0;
        for (const p of list) check += checkData(p, await api.readFile(p));
        return check;
      },
      async write(list, data) {
        for (const p of list) await api.writeFile(p, data);
      },
      async stat(list) {
        let total = 0;
        for (const p of list) total += await api.size(p);
        return total;
      },
      async readdir(path, times) {
        let files = 0;
        for (let i = 0; i < times; i++) files = countFiles(await api.readDir(path));
        return files;
      },
    },
    batch: {
      async read(list) {
        const all = await Promise.all(list.map((p) => api.readFile(p)));
        let check = 0;
        for (let i = 0; i < list.length; i++) check += checkData(list[i], all[i]);
        return check;
      },
      async write(list, data) {
        await Promise.all(list.map((p) => api.writeFile(p, data)));
      },
      async stat(list) {
        const all = await Promise.all(list.map((p) => api.size(p)));
        return all.reduce((a, b) => a + b, 0);
      },
      async readdir(path, times) {
        const all = await Promise.all(Array.from({ length: times }, () => api.readDir(path)));
        let files = 0;
        for (const entries of all) files = countFiles(entries);
        return files;
      },
    },
  }[style];

  let ms, ops, result;
  if (op === "read") {
    const list = paths(`${dir}/read/${shape}`, n);
    await loops.read(list.slice(0, warmCount));
    const start = performance.now();
    const check = await loops.read(list);
    ms = performance.now() - start;
    ops = n;
    result = { bytes: n * size, check };
  } else if (op === "write") {
    const data = new Uint8Array(size).fill(Number(x));
    await loops.write(paths(`${dir}/write/${shape}-warm`, warmCount), data);
    const list = paths(`${dir}/write/${shape}`, n);
    const start = performance.now();
    await loops.write(list, data);
    ms = performance.now() - start;
    ops = n;
    result = { bytes: n * size };
  } else if (op === "stat") {
    const list = paths(`${dir}/read/${shape}`, n);
    await loops.stat(list.slice(0, warmCount));
    const start = performance.now();
    const total = await loops.stat(list);
    ms = performance.now() - start;
    ops = n;
    if (total !== n * size) fail(`sizes add up to ${total}, expected ${n * size}`);
    result = { bytes: total };
  } else if (op === "readdir") {
    const path = `${dir}/read/${shape}`;
    await loops.readdir(path, 1);
    const times = Number(x);
    const start = performance.now();
    const files = await loops.readdir(path, times);
    ms = performance.now() - start;
    ops = times;
    if (files !== n) fail(`${files} entries are files, expected ${n}`);
    result = { entries: n, files };
  } else {
    fail("unknown op");
  }
  print({ ops, ms, usPerOp: (ms * 1000) / ops, ...result });
}
