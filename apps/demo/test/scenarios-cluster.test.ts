import { describe, expect, it } from 'vitest';
import clusterDistributedExecutor from '../src/scenarios/cluster/distributed-executor.js';
import { findRedisServer } from '../src/scenarios/cluster/local-cluster.js';
import { runScenario } from './scenarios-harness.js';

const hasRedis = findRedisServer() !== undefined;

describe('cluster scenarios', () => {
  it.runIf(!hasRedis && process.env.CI === 'true')(
    'CI has redis-server (the cluster scenario must run there)',
    () => {
      expect(hasRedis, 'install redis-server (apt-get install redis-server)').toBe(true);
    },
  );

  it.skipIf(!hasRedis)(
    'cluster/distributed-executor runs the process-pool demonstration unchanged on two workers, and survives a killed worker',
    { timeout: 60_000 },
    async () => {
      const outcome = await runScenario(clusterDistributedExecutor, { scale: 0.1 });
      const data = outcome.data;
      expect(data.skipped).toBeUndefined();
      // Three 1 s tasks (×0.1) at once beat one after another, as on a ProcessPool.
      expect(data.parallelMs!).toBeLessThan(0.6 * data.sequentialMs!);
      // Both workers ran tasks.
      expect(Object.keys(data.perWorker!)).toHaveLength(2);
      expect(Object.values(data.perWorker!).reduce((a, b) => a + b)).toBe(8);
      // After the kill every task completed, on the surviving worker.
      expect(data.tasksAfterKill).toBe(8);
      expect(data.survivorsCompleted).toBe(8);
      expect(outcome.ok).toBe(true);
    },
  );
});
