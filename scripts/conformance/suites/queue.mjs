// @x/queue's public behaviour, runtime-neutral (see ../harness.mjs).
import { PriorityQueue, Queue, QueueShutDownError } from '@x/queue';
import { equal, ok, rejects, test } from '../harness.mjs';

const pkg = 'queue';

test(pkg, 'Queue hands items over FIFO and join() waits for taskDone', async () => {
  const queue = new Queue({ maxsize: 2 });
  await queue.put('a');
  await queue.put('b');
  const got = [await queue.get(), await queue.get()];
  queue.taskDone();
  queue.taskDone();
  await queue.join();
  equal(got, ['a', 'b']);
});

test(pkg, 'a cancelled get never loses an item', async () => {
  const queue = new Queue();
  const controller = new AbortController();
  const pending = rejects(queue.get({ signal: controller.signal }));
  controller.abort();
  await pending;
  queue.putNowait('kept');
  equal(await queue.get(), 'kept');
});

test(pkg, 'PriorityQueue returns the smallest first', async () => {
  const jobs = new PriorityQueue();
  await jobs.put([2, 'later']);
  await jobs.put([1, 'first']);
  equal(await jobs.get(), [1, 'first']);
});

test(pkg, 'shutdown ends a waiting get with QueueShutDownError', async () => {
  const queue = new Queue();
  const pending = rejects(queue.get());
  queue.shutdown();
  const error = await pending;
  ok(error instanceof QueueShutDownError, `not a QueueShutDownError: ${error}`);
});
