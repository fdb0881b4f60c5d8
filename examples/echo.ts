import { spawn } from "uringy:fiber";
import { TcpListener, type TcpStream } from "uringy:net";
import { copy } from "uringy:io";
import { waitForSignal } from "uringy:process";

const server = spawn(() => echoServer(9000));
waitForSignal("SIGINT", "SIGTERM");
console.log("gracefully shutting down");
server.cancel(); // cancellation reaches every fiber below `server`
// the program ends when every fiber has finished

function echoServer(port: number) {
  const listener = TcpListener.bind(port);
  console.log(`listening for TCP connections on port ${port}`);
  for (const stream of listener.incoming()) {
    spawn(() => handleConnection(stream));
  }
}

function handleConnection(stream: TcpStream) {
  const [r, w] = stream.split();
  copy(r, w);
}
