// Echo server for bench/echo on Node's `net`: node bench/echo/node.mjs [PORT] (default 9000).
// Every byte that comes in on a connection goes back out on it.
//
// VARIANT=pipe (default) is `socket.pipe(socket)`, the idiomatic echo, with backpressure:
// pipe pauses reading while a write is buffered. VARIANT=data is on('data') → write(), which
// ignores backpressure (harmless here: the client waits for each echo).
import net from "node:net";

const port = Number(process.argv[2] ?? 9000);
const variant = process.env.VARIANT ?? "pipe";

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on("error", () => {}); // a reset by the client ends the connection, not the server
  if (variant === "data") {
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.end());
  } else {
    socket.pipe(socket);
  }
});
server.listen({ port, host: "0.0.0.0", backlog: 4096 }, () => {
  console.error(`node: listening on 0.0.0.0:${port} (${variant})`);
});
