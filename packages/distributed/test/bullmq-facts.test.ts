/**
 * The BullMQ facts @x/distributed's design rests on (issue 16), kept as tests so that a BullMQ upgrade that
 * changes one of them fails here first, and the one-subscription-per-executor rule that follows from them.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributedExecutor } from '../src/index.js';
import { markerDir, redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

const block = work<(ms: number, dir?: string, id?: string) => number>('block');

describe.skipIf(!redisUrl)('BullMQ facts behind the design', () => {
  const url = redisUrl!;
  const markers = markerDir();
  const queue = freshQueue('facts');
  let client: Redis;
  let raw: Queue;
  beforeAll(async () => {
    await startWorker(url, ['--queue', queue, '--concurrency', '2', '--workers', '2']);
    client = new Redis(url, { maxRetriesPerRequest: null });
    raw = new Queue(queue, { connection: client as never });
  });
  afterAll(async () => {
    await raw?.close();
    client?.disconnect();
    await stopAllWorkers();
    markers.remove();
  });

  it('an active job cannot be removed (it is locked by its worker), so a running task is cancelled by pub/sub', async () => {
    await using executor = new DistributedExecutor({ connection: url, queue });
    const task = executor.submit(block, [600, markers.dir, 'active']);
    await waitFor(() => markers.pids('active', 'started').length === 1, 'the task to start');
    const [active] = await raw.getActive();
    const removed = await raw.remove(active!.id!).catch((error: Error) => error);
    expect(removed === 0 || (removed instanceof Error && /locked/.test(removed.message))).toBe(true);
    expect(await task).toBeTypeOf('number');
  });

  it("worker.cancelJob(id) reaches only its own process's jobs: another process's running job is untouched", async () => {
    await using executor = new DistributedExecutor({ connection: url, queue });
    const task = executor.submit(block, [600, markers.dir, 'remote']);
    await waitFor(() => markers.pids('remote', 'started').length === 1, 'the task to start');
    const [active] = await raw.getActive();
    const here = new Worker(queue, async () => undefined, { connection: client as never, autorun: false });
    try {
      expect(here.cancelJob(active!.id!)).toBe(false);
    } finally {
      await here.close();
    }
    expect(await task).toBeTypeOf('number');
    expect(markers.pids('remote', 'done')).toHaveLength(1);
  });

  it('results arrive through one event subscription per executor: connections do not grow with tasks', async () => {
    const clients = async () =>
      String(await client.client('LIST'))
        .split('\n')
        .filter(Boolean).length;
    const before = await clients();
    await using executor = new DistributedExecutor({ connection: url, queue });
    await executor.submit(work('add'), [1, 1]);
    const afterOne = await clients();
    await Promise.all(Array.from({ length: 50 }, (_, i) => executor.submit(work('add'), [i, 1])));
    expect(await clients()).toBe(afterOne);
    // A command client and a blocking event reader (BullMQ may add one of its own): a handful, not one per task.
    expect(afterOne - before).toBeLessThanOrEqual(3);
    await executor.shutdown();
    await waitFor(async () => (await clients()) === before, 'the executor to close its connections', 5000);
  });
});
