import { test, expect, describe } from "uringy:test";
import { spawn, sleep, scope, yieldNow, Cancelled } from "uringy:fiber";
import { Channel, ChannelClosed, Mutex, Semaphore } from "uringy:sync";

describe("Channel", () => {
  test("an unbuffered send waits until a receiver takes the value", () => {
    const ch = new Channel<string>();
    const events: string[] = [];
    const sender = spawn(() => {
      ch.send("x");
      events.push("sent");
    });
    sleep(5);
    expect(events).toEqual([]);
    expect(ch.recv()).toBe("x");
    sender.join();
    expect(events).toEqual(["sent"]);
  });

  test("a buffered channel accepts sends up to its capacity without a receiver", () => {
    const ch = new Channel<number>(2);
    ch.send(1);
    ch.send(2);
    expect(ch.size).toBe(2);
    const third = spawn(() => ch.send(3));
    yieldNow();
    expect(third.done).toBe(false);
    expect(ch.recv()).toBe(1);
    third.join();
    expect([ch.recv(), ch.recv()]).toEqual([2, 3]);
  });

  test("values arrive in the order they were sent, across several senders", () => {
    const ch = new Channel<number>(1);
    const got: number[] = [];
    scope(() => {
      spawn(() => {
        for (let i = 0; i < 50; i++) ch.send(i);
        ch.close();
      });
      spawn(() => {
        for (const v of ch) got.push(v);
      });
    });
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test("recv on a closed, drained channel throws ChannelClosed; buffered values drain first", () => {
    const ch = new Channel<number>(3);
    ch.send(1);
    ch.close();
    expect(ch.recv()).toBe(1);
    expect(() => ch.recv()).toThrow(ChannelClosed);
  });

  test("send on a closed channel throws ChannelClosed", () => {
    const ch = new Channel<number>();
    ch.close();
    expect(() => ch.send(1)).toThrow(ChannelClosed);
  });

  test("closing wakes waiting receivers and senders with ChannelClosed", () => {
    // Each fiber catches its own error: one nobody is joining yet would fail the test (rule 7).
    const caught = (body: () => unknown) => spawn(() => {
      try {
        body();
      } catch (error) {
        return error;
      }
    });
    const ch = new Channel<number>();
    const receiver = caught(() => ch.recv());
    const ch2 = new Channel<number>();
    const sender = caught(() => ch2.send(1));
    yieldNow();
    ch.close();
    ch2.close();
    expect(receiver.join()).toBeInstanceOf(ChannelClosed);
    expect(sender.join()).toBeInstanceOf(ChannelClosed);
  });

  test("iteration receives until the channel is closed", () => {
    const ch = new Channel<string>(10);
    ch.send("a");
    ch.send("b");
    ch.close();
    expect([...ch]).toEqual(["a", "b"]);
  });

  test("a receiver cancelled while waiting throws Cancelled and a later value goes to the next receiver", () => {
    const ch = new Channel<number>();
    const first = spawn(() => ch.recv());
    const second = spawn(() => ch.recv());
    yieldNow();
    first.cancel();
    ch.send(7);
    expect(() => first.join()).toThrow(Cancelled);
    expect(second.join()).toBe(7);
  });

  test("a value handed to a receiver just before it is cancelled is not lost", () => {
    const ch = new Channel<number>();
    const receiver = spawn(() => ch.recv());
    yieldNow();
    ch.send(42); // served: the receiver is ready with the value
    receiver.cancel();
    expect(receiver.join()).toBe(42);
  });

  test("a sender cancelled while waiting does not deliver its value", () => {
    const ch = new Channel<number>();
    const sender = spawn(() => ch.send(1));
    yieldNow();
    sender.cancel();
    expect(() => sender.join()).toThrow(Cancelled);
    spawn(() => ch.send(2));
    expect(ch.recv()).toBe(2);
  });

  test("a negative or fractional capacity is refused", () => {
    expect(() => new Channel(-1)).toThrow(RangeError);
    expect(() => new Channel(1.5)).toThrow(RangeError);
  });
});

describe("Mutex", () => {
  test("only one fiber holds the lock at a time", () => {
    const mutex = new Mutex();
    let inside = 0;
    let most = 0;
    scope(() => {
      for (let i = 0; i < 5; i++) {
        spawn(() =>
          mutex.with(() => {
            inside++;
            most = Math.max(most, inside);
            sleep(1);
            inside--;
          })
        );
      }
    });
    expect(most).toBe(1);
    expect(mutex.locked).toBe(false);
  });

  test("the lock passes to waiters in the order they came", () => {
    const mutex = new Mutex();
    const order: number[] = [];
    mutex.lock();
    scope(() => {
      for (let i = 0; i < 3; i++) spawn(() => mutex.with(() => order.push(i)));
      yieldNow();
      mutex.unlock();
    });
    expect(order).toEqual([0, 1, 2]);
  });

  test("with() releases the lock when its body throws", () => {
    const mutex = new Mutex();
    expect(() => mutex.with(() => { throw new Error("inside"); })).toThrow("inside");
    expect(mutex.locked).toBe(false);
  });

  test("a waiter cancelled before its turn does not keep the lock", () => {
    const mutex = new Mutex();
    mutex.lock();
    const cancelled = spawn(() => mutex.lock());
    const next = spawn(() => mutex.with(() => "got it"));
    yieldNow();
    cancelled.cancel();
    mutex.unlock();
    expect(() => cancelled.join()).toThrow(Cancelled);
    expect(next.join()).toBe("got it");
    expect(mutex.locked).toBe(false);
  });

  test("unlocking a mutex that is not locked throws", () => {
    expect(() => new Mutex().unlock()).toThrow("not locked");
  });
});

describe("Semaphore", () => {
  test("at most `permits` fibers are inside at once", () => {
    const sem = new Semaphore(3);
    let inside = 0;
    let most = 0;
    scope(() => {
      for (let i = 0; i < 10; i++) {
        spawn(() =>
          sem.with(() => {
            inside++;
            most = Math.max(most, inside);
            sleep(1);
            inside--;
          })
        );
      }
    });
    expect(most).toBe(3);
    expect(sem.available).toBe(3);
  });

  test("acquire waits for a release and a cancelled waiter gives up its place", () => {
    const sem = new Semaphore(1);
    sem.acquire();
    const gone = spawn(() => sem.acquire());
    const waiting = spawn(() => {
      sem.acquire();
      return "acquired";
    });
    yieldNow();
    gone.cancel();
    sem.release();
    expect(waiting.join()).toBe("acquired");
    expect(() => gone.join()).toThrow(Cancelled);
    expect(sem.available).toBe(0);
  });

  test("a negative permit count is refused", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
  });
});
