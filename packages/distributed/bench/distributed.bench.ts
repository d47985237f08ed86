/**
 * @x/distributed against raw BullMQ on the same Redis (a redis-server started here), and scale-out from one
 * worker process to two. Skipped, with a message, where redis-server is not installed.
 */
import { spawn } from 'node:child_process';
import { fromModule } from '@x/executor';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { latency, measured, quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import { DistributedExecutor } from '../src/index.ts';
import { findRedisServer, startRedis } from '../test/support/redis.ts';
import { startWorker, stopAllWorkers } from '../test/support/workers.ts';

const TASKS = quick ? 2_000 : 10_000;
const CONCURRENCY = 16;
const inc = fromModule<(x: number) => number>(new URL('./fixtures/work.mjs', import.meta.url), 'inc');
const burn = fromModule<(ms: number) => number>(new URL('./fixtures/work.mjs', import.meta.url), 'burn');

async function startRawWorker(url: string, queue: string) {
  const child = spawn(
    process.execPath,
    [new URL('./fixtures/raw-worker.mjs', import.meta.url).pathname, url, queue, String(CONCURRENCY)],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d) => String(d).includes('ready:') && resolve()),
  );
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}

export default async function (): Promise<Workload[]> {
  if (findRedisServer() === undefined) {
    console.log(
      '  redis-server is not installed: @x/distributed benchmarks skipped (apt-get install redis-server).',
    );
    return [];
  }
  const redis = await startRedis();
  const url = redis.url;
  const results: Workload[] = [];
  try {
    // Ours: one x-distributed-worker process (a local pool of 1 thread), 16 jobs at once, like the raw worker.
    await startWorker(url, ['--queue', 'ours', '--concurrency', String(CONCURRENCY)]);
    const stopRaw = await startRawWorker(url, 'raw');
    const executor = new DistributedExecutor({ connection: url, queue: 'ours' });
    const rawClient = new Redis(url, { maxRetriesPerRequest: null });
    rawClient.on('error', () => {});
    // The same events-stream length as ours: BullMQ's default (10,000) trims completions of a 10,000-task burst
    // before a loaded reader sees them, and waitUntilFinished then waits for ever.
    const rawQueue = new Queue('raw', {
      connection: rawClient as never,
      streams: { events: { maxLen: 100_000 } },
    });
    const rawEventsClient = new Redis(url, { maxRetriesPerRequest: null });
    rawEventsClient.on('error', () => {});
    const rawEvents = new QueueEvents('raw', { connection: rawEventsClient as never });
    rawEvents.setMaxListeners(0);
    rawQueue.setMaxListeners(0); // waitUntilFinished listens to the queue's 'closing' once per job
    await rawEvents.waitUntilReady();
    const rawCall = async (x: number) => {
      const job = await rawQueue.add('t', { x }, { removeOnComplete: { age: 3600 } });
      return job.waitUntilFinished(rawEvents);
    };

    results.push(
      await throughput(
        `${TASKS.toLocaleString('en-US')} tiny tasks in flight, 1 worker process, 16 jobs at once`,
        TASKS,
        [
          {
            name: '@x/distributed submit (addBulk per burst, one event stream)',
            ours: true,
            run: () => Promise.all(Array.from({ length: TASKS }, (_, i) => executor.submit(inc, [i]))),
          },
          {
            name: 'raw BullMQ (Queue.add + Worker + QueueEvents)',
            run: () => Promise.all(Array.from({ length: TASKS }, (_, i) => rawCall(i))),
          },
        ],
        { rounds: quick ? 1 : 3, target: '>= 1x raw BullMQ' },
      ),
    );

    results.push(
      ...(await latency(
        'one task at a time, round trip',
        [
          { name: '@x/distributed submit', ours: true, call: () => executor.submit(inc, [1]) },
          { name: 'raw BullMQ add + waitUntilFinished', call: () => rawCall(1) },
        ],
        { samples: quick ? 100 : 1000, warmup: quick ? 20 : 100, target: '<= 1.2x raw BullMQ' },
      )),
    );

    // Scale-out: 8 CPU tasks of ~250 ms on one worker process, then on two (each with a pool of one thread).
    const cpuRun = async (queue: string, workers: number) => {
      for (let i = 0; i < workers; i++) await startWorker(url, ['--queue', queue, '--concurrency', '1']);
      await using ex = new DistributedExecutor({ connection: url, queue });
      await ex.submit(burn, [10]); // warm: the module is imported
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 8 }, () => ex.submit(burn, [250])));
      return performance.now() - t0;
    };
    const one = await cpuRun('cpu1', 1);
    const two = await cpuRun('cpu2', 2);
    results.push(
      measured(
        '8 CPU tasks of 250 ms: 2 worker processes vs 1',
        'ms',
        'lower',
        [
          { name: '@x/distributed, 2 worker processes', ours: true, value: two },
          { name: '@x/distributed, 1 worker process', value: one },
        ],
        '>= 1.8x speed-up (ratio <= 0.56)',
      ),
    );

    await executor.shutdown();
    await rawEvents.close();
    await rawQueue.close();
    rawClient.disconnect();
    rawEventsClient.disconnect();
    await stopRaw();
  } finally {
    await stopAllWorkers();
    await redis.stop();
  }
  return results;
}
