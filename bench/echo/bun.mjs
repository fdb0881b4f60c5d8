// Echo server for bench/echo on Bun's native TCP API: bun bench/echo/bun.mjs [PORT] (default
// 9000). Every byte that comes in on a connection goes back out on it.
//
// `Bun.listen` sockets do not buffer: write() returns how many bytes the kernel took. What it
// did not take is kept (copied, in order) in `socket.data` and written from the drain handler,
// and data that arrives meanwhile is queued behind it: backpressure without losing bytes.
const port = Number(process.argv[2] ?? 9000);

function flush(socket) {
  const queue = socket.data;
  while (queue.length > 0) {
    const chunk = queue[0];
    const n = socket.write(chunk);
    if (n < 0) return; // closed
    if (n < chunk.length) {
      queue[0] = chunk.subarray(n);
      return; // wait for drain
    }
    queue.shift();
  }
}

Bun.listen({
  hostname: "0.0.0.0",
  port,
  socket: {
    open(socket) {
      socket.setNoDelay(true);
      socket.data = [];
    },
    data(socket, data) {
      if (socket.data.length > 0) {
        socket.data.push(Buffer.from(data)); // behind the queue; copied, `data` is not ours
        return;
      }
      const n = socket.write(data);
      if (n >= 0 && n < data.length) socket.data.push(Buffer.from(data.subarray(n)));
    },
    drain(socket) {
      flush(socket);
    },
    error() {}, // a reset by the client ends the connection, not the server
  },
});
console.error(`bun: listening on 0.0.0.0:${port}`);
