import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ThreadPool } from '@x/to-thread';
import { QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DistributedExecutor, serveWorker } from '../src/index.js';
import { markerDir, redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

const block = work<(ms: number, dir?: string, id?: string) => number>('block');

describe('serveWorker options', () => {
  it('throws naming the option for bad options, before connecting', () => {
    const executor = { submit() {} } as never;
    const serve = (o: unknown) => () => serveWorker(o as never);
    expect(serve(undefined)).toThrow(/"options" argument must be an object/);
    expect(serve({ executor })).toThrow(/"options.connection" property/);
    expect(serve({ connection: 'redis://127.0.0.1:1' })).toThrow(
      /"options.executor" property must be an Executor/,
    );
    expect(serve({ connection: 'redis://127.0.0.1:1', executor, concurrency: 0 })).toThrow(RangeError);
    expect(serve({ connection: 'redis://127.0.0.1:1', executor, lockDuration: 1.5 })).toThrow(RangeError);
    expect(serve({ connection: 'redis://127.0.0.1:1', executor, queue: 'a:b' })).toThrow(
      /must not contain ":"/,
    );
    expect(serve({ connection: 'redis://127.0.0.1:1', executor, stalledIntervl: 1 })).toThrow(
      /stalledIntervl/,
    );
  });
});

describe.skipIf(!redisUrl)('serveWorker', () => {
  const url = redisUrl!;
  const markers = markerDir();
  afterAll(async () => {
    await stopAllWorkers();
    markers.remove();
  });

  it("resolves a module function from the worker's own working directory (another machine's checkout)", async () => {
    const queue = freshQueue('cwd');
    const checkout = mkdtempSync(join(tmpdir(), 'x-dist-checkout-'));
    try {
      const fixture = fileURLToPath(new URL('./fixtures/work.mjs', import.meta.url));
      const copy = join(checkout, relative(process.cwd(), fixture));
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, "export const where = () => 'copy';\n");
      await startWorker(url, ['--queue', queue], { cwd: checkout });
      await using executor = new DistributedExecutor({ connection: url, queue });
      expect(await executor.submit(work<() => string>('where'), [])).toBe('copy');
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('close() lets the running task finish and report, then takes no more jobs', async () => {
    const queue = freshQueue('close');
    const pool = new ThreadPool({ maxThreads: 1 });
    const worker = serveWorker({ connection: url, queue, executor: pool, concurrency: 1 });
    await worker.ready;
    await using executor = new DistributedExecutor({ connection: url, queue });
    try {
      const task = executor.submit(block, [800, markers.dir, 'closing']);
      await waitFor(() => markers.pids('closing', 'started').length === 1, 'the task to start');
      await worker.close();
      expect(await task).toBe(process.pid);
      const later = executor.submit(block, [0, markers.dir, 'after-close'], { timeout: 1500 });
      await expect(later).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(markers.pids('after-close', 'started')).toEqual([]);
    } finally {
      await worker.close();
      await pool.shutdown();
    }
  });

  it('a result whose event never arrives is read from Redis directly: no wait depends on one message', async () => {
    const queue = freshQueue('missed');
    await startWorker(url, ['--queue', queue]);
    // Drop every 'completed' event this process's event readers would deliver.
    const emit = QueueEvents.prototype.emit;
    const spy = vi.spyOn(QueueEvents.prototype, 'emit').mockImplementation(function (
      this: QueueEvents,
      event,
      ...args
    ) {
      return event === 'completed' ? false : emit.call(this, event, ...(args as []));
    });
    try {
      await using executor = new DistributedExecutor({ connection: url, queue });
      const t0 = performance.now();
      expect(await executor.submit(work<(a: number, b: number) => number>('add'), [20, 22])).toBe(42);
      // Found by the look-up that runs every 5 s for tasks not heard of for 5 s.
      expect(performance.now() - t0).toBeGreaterThan(4000);
      expect(spy.mock.calls.some(([event]) => event === 'completed')).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
