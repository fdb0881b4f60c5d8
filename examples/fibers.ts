// Fibers: code that waits reads like blocking code, and structured concurrency keeps every
// fiber accounted for. No async, no await.
import { spawn, sleep, scope, timeout, TimeoutError } from "uringy:fiber";
import { Channel } from "uringy:sync";

// A producer and two consumers talking over a channel.
const jobs = new Channel<number>(4);
const done = scope(() => {
  spawn(() => {
    for (let i = 1; i <= 6; i++) jobs.send(i);
    jobs.close();
  });
  const workers = ["a", "b"].map((name) =>
    spawn(() => {
      let handled = 0;
      for (const job of jobs) {
        sleep(job); // pretend to work
        handled++;
      }
      return `${name} handled ${handled}`;
    })
  );
  return workers.map((w) => w.join());
});
console.log(done);

// A time limit cancels everything inside it, and reports once all of it has stopped.
try {
  timeout(20, () => {
    spawn(() => sleep(1000));
    sleep(1000);
  });
} catch (error) {
  console.log(error instanceof TimeoutError ? "gave up after 20 ms, cleanly" : error);
}
