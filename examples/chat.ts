// A line-based chat server: every line a client sends goes to every other client. Try it with
// `uringy examples/chat.ts`, then `nc localhost 9001` in two terminals; Ctrl-C shuts it down.
//
// It shows what a hand-written server does that the echo server (built on copy()) need not:
// each connection's fiber handles its own errors. Under structured concurrency, an error that
// escapes a connection's fiber fails the fiber that spawned it — the server — so a client that
// resets its connection (ECONNRESET) must end that connection only. Cancelled passes through:
// it is the server shutting down.
import { spawn, Cancelled } from "uringy:fiber";
import { TcpListener, type TcpStream } from "uringy:net";
import { waitForSignal } from "uringy:process";

const port = Number(process.argv[2] ?? 9001);
const clients = new Set<TcpStream>();

const server = spawn(() => {
  const listener = TcpListener.bind(port);
  console.log(`chat on port ${listener.addr.port}`);
  for (const stream of listener.incoming()) spawn(() => join(stream));
});
waitForSignal("SIGINT", "SIGTERM");
console.log("shutting down");
server.cancel();

function join(stream: TcpStream): void {
  const name = `${stream.remoteAddr.hostname}:${stream.remoteAddr.port}`;
  clients.add(stream);
  try {
    for (const line of lines(stream)) {
      for (const other of clients) if (other !== stream) say(other, `${name}: ${line}\n`);
    }
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    console.error(`${name}: ${(error as Error).message}`);
  } finally {
    clients.delete(stream);
    stream.close();
  }
}

/** A client that went away is that client's problem: its own fiber sees it and leaves. */
function say(to: TcpStream, text: string): void {
  try {
    to.write(text);
  } catch {
    clients.delete(to);
  }
}

/** The lines a client sends, as they come (read waits; only this fiber). */
function* lines(stream: TcpStream): Generator<string> {
  const buf = new Uint8Array(4096);
  const decoder = new TextDecoder();
  let pending = "";
  for (let n; (n = stream.read(buf)) > 0; ) {
    pending += decoder.decode(buf.subarray(0, n), { stream: true });
    const complete = pending.split("\n");
    pending = complete.pop() ?? "";
    yield* complete;
  }
}
