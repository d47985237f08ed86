import { ProcessPool } from '@x/process-pool';
import { defineScenario } from '../../tour/scenario.js';
import { demonstrateSubmit } from '../shared/executor-demos.js';
import { asyncCoreArticle, section } from '../shared/sources.js';

export default defineScenario({
  id: 'process/pool-submit',
  title: 'ProcessPool.submit: returns at once, result later, several arguments, errors reach the caller',
  source: section(asyncCoreArticle, 'test_executor_submit.py: test1, test4, test5'),
  expected:
    'submit() returns a future immediately while a worker runs the 2 s task; result() waits for it. Arguments ' +
    'follow the function (calculate, "add", 10, 20 -> 30). An exception in the task is raised by result().',
  async run(ctx) {
    await using pool = new ProcessPool({ maxWorkers: 3 });
    return await demonstrateSubmit(pool, ctx);
  },
});
