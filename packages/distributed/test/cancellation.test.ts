import { TimeoutError } from '@x/executor';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DistributedExecutor } from '../src/index.js';
import { markerDir, redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

const block = work<(ms: number, dir?: string, id?: string) => number>('block');
const pid = work<() => number>('pid');

describe.skipIf(!redisUrl)('cancellation and timeout', () => {
  const url = redisUrl!;
  const queue = freshQueue('cancel');
  let executor: DistributedExecutor;
  let raw: Queue;
  const markers = markerDir();

  beforeAll(async () => {
    // One worker running one task at a time: a second task waits in the queue until the first ends.
    await startWorker(url, ['--queue', queue, '--concurrency', '1']);
    executor = new DistributedExecutor({ connection: url, queue });
    raw = new Queue(queue, { connection: { host: '127.0.0.1', port: Number(new URL(url).port) } as never });
  });
  afterEach(async () => {
    // The worker must be free again for the next test (a cancelled task really stopped).
    expect(await executor.submit(pid, [], { timeout: 10_000 })).toBeTypeOf('number');
  });
  afterAll(async () => {
    await executor?.shutdown();
    await raw?.close();
    await stopAllWorkers();
    markers.remove();
  });

  it('aborting a queued task rejects at once with the reason and removes its job from Redis', async () => {
    const running = executor.submit(block, [1500, markers.dir, 'busy']);
    await waitFor(() => markers.pids('busy', 'started').length === 1, 'the first task to start');
    const controller = new AbortController();
    const queued = executor.submit(block, [0, markers.dir, 'queued'], { signal: controller.signal });
    await waitFor(async () => (await raw.getWaitingCount()) === 1, 'the second job to wait in Redis');
    const reason = new Error('no longer needed');
    const t0 = performance.now();
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(100);
    await waitFor(async () => (await raw.getWaitingCount()) === 0, 'the job to be removed');
    await running;
    // It never ran: the worker took no job after the first.
    expect(markers.pids('queued', 'started')).toEqual([]);
  });

  it('aborting a running task reaches its worker over pub/sub and stops the local task there', async () => {
    const controller = new AbortController();
    const task = executor.submit(block, [20_000, markers.dir, 'running'], { signal: controller.signal });
    await waitFor(() => markers.pids('running', 'started').length === 1, 'the task to start');
    const reason = new Error('stop it');
    const t0 = performance.now();
    controller.abort(reason);
    await expect(task).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(100);
    // The worker was blocked for 20 s in sync code; it is free again within seconds only if its thread was stopped.
    const t1 = performance.now();
    expect(await executor.submit(pid, [])).toBeTypeOf('number');
    expect(performance.now() - t1).toBeLessThan(10_000);
    expect(markers.pids('running', 'done')).toEqual([]);
  });

  it('a timeout rejects with TimeoutError and stops the running task on its worker', async () => {
    const t0 = performance.now();
    const error = await executor
      .submit(block, [20_000, markers.dir, 'slow'], { timeout: 800 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeout).toBe(800);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(markers.pids('slow', 'started')).toHaveLength(1);
    const t1 = performance.now();
    expect(await executor.submit(pid, [])).toBeTypeOf('number');
    expect(performance.now() - t1).toBeLessThan(10_000);
    expect(markers.pids('slow', 'done')).toEqual([]);
  });

  it('an already aborted signal rejects with its reason and sends nothing', async () => {
    const before = await raw.getJobCounts();
    const reason = new Error('too late');
    await expect(executor.submit(block, [0], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await raw.getJobCounts()).toEqual(before);
  });
});
