import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DistributedExecutor, RedisUnavailableError } from '../src/index.js';
import { type RedisServer, startRedis } from './support/redis.js';
import { markerDir, redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

const add = work<(a: number, b: number) => number>('add');

// A redis-server of its own (the project's one stays up for the other files), stopped and started again.
describe.skipIf(!redisUrl)('Redis down or unreachable', () => {
  let redis: RedisServer | undefined;
  afterAll(async () => {
    await stopAllWorkers();
    await redis?.stop();
  });

  it('submit rejects within connectTimeout naming the connection, and the executor recovers when Redis returns', async () => {
    redis = await startRedis();
    const { port, url } = redis;
    const queue = freshQueue('down');
    await startWorker(url, ['--queue', queue]);
    await using executor = new DistributedExecutor({ connection: url, queue, connectTimeout: 1000 });
    expect(await executor.submit(add, [1, 2])).toBe(3);

    await redis.stop();
    const t0 = performance.now();
    const error = await executor.submit(add, [3, 4]).catch((e) => e);
    const took = performance.now() - t0;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.code).toBe('ERR_X_REDIS_UNAVAILABLE');
    expect(error.connection).toBe(url);
    expect(error.message).toContain(`Cannot reach Redis at ${url}`);
    // BullMQ's own Queue.add waits for more than 15 s; ours gives up after connectTimeout (plus scheduling slack).
    expect(took).toBeLessThan(4000);

    redis = await startRedis(port);
    let result: number | undefined;
    const deadline = Date.now() + 20_000;
    while (result === undefined && Date.now() < deadline) {
      result = await executor.submit(add, [5, 6], { timeout: 5000 }).catch(() => undefined);
    }
    expect(result).toBe(11);
  });

  it('a task accepted by Redis survives every connection being cut while it runs: the caller gets its one result', async () => {
    const url = redisUrl!;
    const queue = freshQueue('cut');
    const markers = markerDir();
    await startWorker(url, ['--queue', queue]);
    await using executor = new DistributedExecutor({ connection: url, queue });
    const block = work<(ms: number, dir?: string, id?: string) => number>('block');
    const task = executor.submit(block, [1500, markers.dir, 'cut']);
    await waitFor(() => markers.pids('cut', 'started').length === 1, 'the task to start');
    const admin = new Redis(url);
    try {
      // Every client but this one: the executor's queue and event reader, the worker's connections.
      const normal = await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      const pubsub = await admin.client('KILL', 'TYPE', 'pubsub', 'SKIPME', 'yes');
      expect(Number(normal)).toBeGreaterThan(2);
      expect(Number(pubsub)).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
    }
    expect(await task).toBeTypeOf('number');
    expect(markers.pids('cut', 'started')).toHaveLength(1);
    markers.remove();
  });

  it('an executor whose Redis never answers rejects its tasks in bounded time, and its shutdown ends at once', async () => {
    const executor = new DistributedExecutor({ connection: 'redis://127.0.0.1:1', connectTimeout: 500 });
    const t0 = performance.now();
    const error = await executor.submit(add, [1, 2]).catch((e) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain('redis://127.0.0.1:1');
    expect(performance.now() - t0).toBeLessThan(3000);
    const t1 = performance.now();
    await executor.shutdown();
    expect(performance.now() - t1).toBeLessThan(1000);
  });
});
