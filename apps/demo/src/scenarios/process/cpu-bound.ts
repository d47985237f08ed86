import { ProcessPool } from '@x/process-pool';
import { defineScenario } from '../../tour/scenario.js';
import { expectedSum, fastestOfEach, sumRange, workloadNote } from '../shared/cpu.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds } from '../shared/time.js';

export default defineScenario({
  id: 'process/cpu-bound',
  title: 'CPU-bound sum(range(n)) twice: main thread vs a ProcessPool of two children',
  source: section(asyncioArticle, 'When async does not help: CPU-bound work'),
  expected:
    'To run CPU work in parallel, use ProcessPoolExecutor: two sums in two processes take about the time of one.',
  async run(ctx) {
    const n = ctx.cpuIterations;
    const results: number[] = [];
    const rounds = 5;
    await using pool = new ProcessPool({ maxWorkers: 2 });

    ctx.step('starting two child processes');
    await Promise.all([pool.submit(sumRange, [1_000_000]), pool.submit(sumRange, [1_000_000])]);

    ctx.step(`sumRange(${n}) twice: on the main thread, then in two children at once (best of ${rounds})`);
    const [mainMs, poolMs] = await fastestOfEach(
      rounds,
      () => results.push(sumRange(n), sumRange(n)),
      async () =>
        results.push(...(await Promise.all([pool.submit(sumRange, [n]), pool.submit(sumRange, [n])]))),
    );
    ctx.log(`main thread: ${seconds(mainMs)}`);
    ctx.log(`two child processes: ${seconds(poolMs)}`);

    const correct = results.length === 4 * rounds && results.every((value) => value === expectedSum(n));
    const speedUp = mainMs / poolMs;
    return {
      ok: correct && poolMs < 0.9 * mainMs,
      measured: `${workloadNote(n)}; main thread ${seconds(mainMs)}, two processes ${seconds(poolMs)} (${speedUp.toFixed(2)}× speed-up; sums ${correct ? 'correct' : 'WRONG'})`,
      data: { n, mainMs, poolMs, speedUp, correct },
    };
  },
});
