// @x/locks's public behaviour, runtime-neutral (see ../harness.mjs).
import { Event, Lock, limit, Semaphore, TimeoutError } from '@x/locks';
import { delay, equal, ok, rejects, test } from '../harness.mjs';

const pkg = 'locks';

test(pkg, 'Lock serialises run() callers in FIFO order', async () => {
  const lock = new Lock();
  const order = [];
  await Promise.all(
    [1, 2, 3].map((n) =>
      lock.run(async () => {
        order.push(`in${n}`);
        await delay(2);
        order.push(`out${n}`);
      }),
    ),
  );
  equal(order, ['in1', 'out1', 'in2', 'out2', 'in3', 'out3']);
});

test(pkg, 'a Semaphore waiter that times out leaves without consuming a permit', async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const error = await rejects(sem.acquire({ timeout: 10 }));
  ok(error instanceof TimeoutError, `not a TimeoutError: ${error}`);
  held.release();
  const again = await sem.acquire({ timeout: 100 });
  again.release();
});

test(pkg, 'Event wakes every waiter when set', async () => {
  const event = new Event();
  const waiters = [event.wait(), event.wait()];
  event.set();
  await Promise.all(waiters);
  ok(event.isSet === true, 'not set');
});

test(pkg, 'limit runs at most n calls at once, across more than 10 concurrent callers', async () => {
  const run = limit(2);
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      run(async () => {
        peak = Math.max(peak, ++running);
        await delay(1);
        running--;
      }),
    ),
  );
  equal(peak, 2, 'peak concurrency');
});
