import { DistributedExecutor } from '@x/distributed';
import { defineScenario } from '../../tour/scenario.js';
import { demonstrateParallel, type ParallelData } from '../shared/executor-demos.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';
import { findRedisServer, startLocalCluster } from './local-cluster.js';

/** Blocks its worker for `ms` (as the article's `time.sleep`) and says which worker process ran it. */
const reportingTask = (ms: number): number => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return process.pid;
};

interface ClusterData extends Partial<ParallelData> {
  skipped?: boolean;
  perWorker?: Record<number, number>;
  killedPid?: number;
  survivorsCompleted?: number;
  tasksAfterKill?: number;
}

const count = (pids: number[]) =>
  pids.reduce<Record<number, number>>((acc, pid) => {
    acc[pid] = (acc[pid] ?? 0) + 1;
    return acc;
  }, {});

export default defineScenario<ClusterData>({
  id: 'cluster/distributed-executor',
  title:
    'DistributedExecutor: the ProcessPool scenario unchanged on two worker processes over Redis, one killed mid-run',
  source: `${section(asyncCoreArticle, 'test_executor_submit.py: test2, test3')}; issue 16`,
  expected:
    'The same code as process/pool-parallel gives the same timings through BullMQ and Redis; tasks spread over ' +
    'both workers; when one worker is killed mid-run, every task still completes (re-run on the other).',
  async run(ctx) {
    if (findRedisServer() === undefined) {
      ctx.log('redis-server is not installed (Debian: apt-get install redis-server): skipped');
      return { ok: true, measured: 'skipped: redis-server is not installed', data: { skipped: true } };
    }
    ctx.step('starting redis-server and two worker processes (two threads each)');
    await using cluster = await startLocalCluster(2, 2);
    ctx.log(`Redis at ${cluster.url}; workers ${cluster.workers.map((w) => w.pid).join(' and ')}`);
    await using executor = new DistributedExecutor({ connection: cluster.url, allowSourceFunctions: true });

    // The process-pool scenario's own code, given a DistributedExecutor instead of a ProcessPool.
    const parallel = await demonstrateParallel(executor, ctx);

    ctx.step('eight tasks: which worker ran each');
    const pids = await Promise.all(
      Array.from({ length: 8 }, () => executor.submit(reportingTask, [ctx.ms(1000)], { signal: ctx.signal })),
    );
    const perWorker = count(pids);
    ctx.log(
      `per worker: ${Object.entries(perWorker)
        .map(([pid, n]) => `${pid}: ${n} tasks`)
        .join(', ')}`,
    );

    ctx.step('eight more, and one worker killed (SIGKILL) while they run');
    const [victim, survivor] = cluster.workers as [(typeof cluster.workers)[0], (typeof cluster.workers)[0]];
    const clock = stopwatch();
    const running = Array.from({ length: 8 }, () =>
      executor.submit(reportingTask, [Math.max(ctx.ms(3000), 300)], { signal: ctx.signal }),
    );
    await new Promise((r) => setTimeout(r, Math.max(ctx.ms(1000), 100)));
    await victim.kill();
    ctx.log(`killed worker ${victim.pid} at ${seconds(clock())}`);
    const after = await Promise.all(running);
    const tookMs = clock();
    const onSurvivor = after.filter((pid) => pid === survivor.pid).length;
    ctx.log(
      `all ${after.length} tasks completed after ${seconds(tookMs)}, ${onSurvivor} of them on worker ${survivor.pid}`,
    );

    const spread = Object.keys(perWorker).length === 2;
    const ok = parallel.ok && spread && after.length === 8 && onSurvivor === 8;
    return {
      ok,
      measured:
        `${parallel.measured}; 8 tasks spread ${Object.values(perWorker).join(' + ')} over the two workers; ` +
        `worker killed mid-run: ${after.length}/8 tasks completed (all on the survivor) in ${seconds(tookMs)}`,
      data: {
        ...parallel.data,
        perWorker,
        killedPid: victim.pid,
        survivorsCompleted: onSurvivor,
        tasksAfterKill: after.length,
      },
    };
  },
});
