/**
 * A worker process killed (SIGKILL) mid-task, with BullMQ's lockDuration 2000 / stalledInterval 1000.
 *
 * The scenarios follow BullMQ's own stalled-job tests (github:taskforcesh/bullmq, tests/stalled_jobs.test.ts,
 * MIT licence: "process stalled jobs when starting a queue", "moves jobs to failed" when a job stalls more
 * than the allowable limit), ported to our API: the lost worker is a real process killed by PID, and what is
 * asserted is what the caller of `submit` sees (one result, or `WorkerCrashedError`) and where the task ran.
 */
import { WorkerCrashedError } from '@x/executor';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DistributedExecutor } from '../src/index.js';
import { markerDir, redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

const block = work<(ms: number, dir?: string, id?: string) => number>('block');
const FAST_RECOVERY = ['--lock-duration', '2000', '--stalled-interval', '1000'];

describe.skipIf(!redisUrl)('a worker lost mid-task', () => {
  const url = redisUrl!;
  const markers = markerDir();
  afterEach(async () => {
    await stopAllWorkers();
  });
  afterAll(() => markers.remove());

  it("onWorkerLost 'retry' (default): another worker runs the task again and the caller gets one result", async () => {
    const queue = freshQueue('lost-retry');
    const a = await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
    const b = await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
    await using executor = new DistributedExecutor({ connection: url, queue });
    const t0 = performance.now();
    const task = executor.submit(block, [1000, markers.dir, 'retry']);
    await waitFor(() => markers.pids('retry', 'started').length === 1, 'the task to start');
    const [first] = markers.pids('retry', 'started');
    const victim = first === a.pid ? a : b;
    const survivor = victim === a ? b : a;
    await victim.kill();
    const killedAt = performance.now();
    const result = await task;
    const took = performance.now() - t0;
    const recovery = performance.now() - killedAt;
    expect(result).toBe(survivor.pid);
    expect(markers.pids('retry', 'started').sort()).toEqual([a.pid, b.pid].sort());
    expect(markers.pids('retry', 'done')).toEqual([survivor.pid]);
    // Bounded by lockDuration + stalledInterval (+ the 1 s run), far below BullMQ's 30 s defaults.
    expect(took).toBeLessThan(15_000);
    // lockDuration 2000 + stalledInterval 1000 + the 1 s run again, with slack for this shared machine.
    expect(recovery).toBeLessThan(10_000);
  });

  it('tasks of a killed worker are run by a worker that starts later (BullMQ: "process stalled jobs when starting a queue")', async () => {
    const queue = freshQueue('lost-later');
    const a = await startWorker(url, [
      '--queue',
      queue,
      '--concurrency',
      '2',
      '--workers',
      '2',
      ...FAST_RECOVERY,
    ]);
    await using executor = new DistributedExecutor({ connection: url, queue });
    const tasks = [0, 1].map((i) => executor.submit(block, [300, markers.dir, `later${i}`]));
    await waitFor(
      () => markers.pids('later0', 'started').length + markers.pids('later1', 'started').length === 2,
      'both tasks to start',
    );
    await a.kill();
    const b = await startWorker(url, [
      '--queue',
      queue,
      '--concurrency',
      '2',
      '--workers',
      '2',
      ...FAST_RECOVERY,
    ]);
    expect(await Promise.all(tasks)).toEqual([b.pid, b.pid]);
  });

  it("onWorkerLost 'fail': the caller gets WorkerCrashedError and the task never runs again", async () => {
    const queue = freshQueue('lost-fail');
    const a = await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
    const b = await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
    await using executor = new DistributedExecutor({ connection: url, queue, onWorkerLost: 'fail' });
    const task = executor.submit(block, [1000, markers.dir, 'fail']).catch((e) => e);
    await waitFor(() => markers.pids('fail', 'started').length === 1, 'the task to start');
    const [first] = markers.pids('fail', 'started');
    await (first === a.pid ? a : b).kill();
    const error = await task;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.code).toBe('ERR_X_WORKER_CRASHED');
    expect(error.message).toContain("onWorkerLost: 'fail'");
    // Give the survivor time it would need to run it; it must not have.
    await new Promise((r) => setTimeout(r, 1200));
    expect(markers.pids('fail', 'started')).toEqual([first]);
    expect(markers.pids('fail', 'done')).toEqual([]);
  });

  it('a task whose workers are lost more often than BullMQ allows fails with WorkerCrashedError (BullMQ: "moves jobs to failed")', async () => {
    const queue = freshQueue('lost-twice');
    await using executor = new DistributedExecutor({ connection: url, queue });
    const task = executor.submit(block, [20_000, markers.dir, 'twice']).catch((e) => e);
    // BullMQ's maxStalledCount is 1: the first loss re-queues the task, the second fails it.
    for (let round = 1; round <= 2; round++) {
      const w = await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
      await waitFor(() => markers.pids('twice', 'started').length === round, `run ${round} to start`);
      await w.kill();
    }
    await startWorker(url, ['--queue', queue, ...FAST_RECOVERY]);
    const error = await task;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toContain('stalled more than allowable limit');
    expect(markers.pids('twice', 'started')).toHaveLength(2);
  });
});
