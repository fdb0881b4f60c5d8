// The echo server of examples/echo.ts with its handler written as a JS loop of read and write
// instead of copy(): what a handler that looks at the bytes costs. Port from argv (9000).
import { spawn } from "uringy:fiber";
import { TcpListener, type TcpStream } from "uringy:net";

const listener = TcpListener.bind(Number(process.argv[2] ?? 9000));
for (const stream of listener.incoming()) spawn(() => handle(stream));

function handle(stream: TcpStream) {
  const buf = new Uint8Array(16 * 1024);
  for (;;) {
    const n = stream.read(buf);
    if (n === 0) return;
    stream.write(buf.subarray(0, n));
  }
}
