// @x/task's public behaviour, runtime-neutral (see ../harness.mjs).
import { createTask, InvalidStateError, TaskGroupError, taskGroup } from '@x/task';
import { delay, equal, ok, rejects, test, throws } from '../harness.mjs';

const pkg = 'task';

test(pkg, 'createTask starts at once and is awaitable, with result() after completion', async () => {
  let started = false;
  const task = createTask(async () => {
    started = true;
    await delay(5);
    return 7;
  });
  ok(started, 'not started at once');
  const early = throws(() => task.result());
  ok(early instanceof InvalidStateError, `result() before completion: ${early}`);
  equal(await task, 7);
  equal(task.result(), 7);
  ok(task.done, 'not done');
});

test(pkg, 'cancel() aborts the task signal and the task reports cancelled', async () => {
  let signal;
  const task = createTask(
    (s) =>
      new Promise((_, reject) => {
        signal = s;
        s.addEventListener('abort', () => reject(s.reason));
      }),
  );
  task.cancel();
  await rejects(Promise.resolve(task));
  ok(signal.aborted && task.cancelled, 'not cancelled');
});

test(pkg, 'taskGroup cancels the siblings on the first failure and rejects with TaskGroupError', async () => {
  let sibling;
  const error = await rejects(
    taskGroup(async (group) => {
      group.spawn(async (signal) => {
        sibling = signal;
        await delay(1000);
      });
      group.spawn(async () => {
        await delay(5);
        throw new Error('boom');
      });
    }),
  );
  ok(error instanceof TaskGroupError, `not a TaskGroupError: ${error}`);
  equal(
    error.errors.map((e) => e.message),
    ['boom'],
  );
  ok(sibling.aborted, 'the sibling was not cancelled');
});

test(pkg, 'taskGroup waits for every child', async () => {
  const order = [];
  await taskGroup(async (group) => {
    group.spawn(async () => {
      await delay(20);
      order.push('slow');
    });
    group.spawn(async () => {
      await delay(1);
      order.push('fast');
    });
  });
  equal(order, ['fast', 'slow']);
});
