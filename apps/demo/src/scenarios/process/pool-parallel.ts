import { ProcessPool } from '@x/process-pool';
import { defineScenario } from '../../tour/scenario.js';
import { demonstrateParallel } from '../shared/executor-demos.js';
import { asyncCoreArticle, section } from '../shared/sources.js';

export default defineScenario({
  id: 'process/pool-parallel',
  title: 'ProcessPool: several tasks at once, and three 1 s tasks one by one vs together',
  source: section(asyncCoreArticle, 'test_executor_submit.py: test2, test3'),
  expected:
    'Tasks of 1, 2 and 3 s submitted together all finish after 3 s. Three 1 s tasks take 3 s one after another ' +
    'and 1 s in parallel.',
  async run(ctx) {
    await using pool = new ProcessPool({ maxWorkers: 3 });
    return await demonstrateParallel(pool, ctx);
  },
});
