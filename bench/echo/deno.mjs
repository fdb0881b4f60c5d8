// Echo server for bench/echo on Deno.listen:
//   deno run --allow-net --allow-env=VARIANT bench/echo/deno.mjs [PORT] (default 9000)
// Every byte that comes in on a connection goes back out on it.
//
// VARIANT=loop (default): per connection an async loop, read into a buffer of its own, then
// write all of it (each await completes when the bytes are written: backpressure for free).
// VARIANT=pipe: conn.readable.pipeTo(conn.writable), the web-streams idiom.
const port = Number(Deno.args[0] ?? 9000);
const variant = Deno.env.get("VARIANT") ?? "loop";
const BUF = 16 * 1024;

async function loop(conn) {
  const buf = new Uint8Array(BUF);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    for (let off = 0; off < n;) off += await conn.write(buf.subarray(off, n));
  }
}

async function serve(conn) {
  try {
    conn.setNoDelay(true);
    if (variant === "pipe") await conn.readable.pipeTo(conn.writable);
    else await loop(conn);
  } catch {
    // a reset by the client ends the connection, not the server
  } finally {
    try {
      conn.close();
    } catch {
      // pipeTo closed it already
    }
  }
}

const listener = Deno.listen({ hostname: "0.0.0.0", port });
console.error(`deno: listening on 0.0.0.0:${port} (${variant})`);
for await (const conn of listener) serve(conn);
