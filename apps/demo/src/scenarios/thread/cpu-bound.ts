import { gather } from '@x/gather';
import { toThread } from '@x/to-thread';
import { defineScenario } from '../../tour/scenario.js';
import { expectedSum, fastestOfEach, sumRange, workloadNote } from '../shared/cpu.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds } from '../shared/time.js';

export default defineScenario({
  id: 'thread/cpu-bound',
  title: 'CPU-bound sum(range(n)) twice: main thread vs toThread (parallel in Node, unlike the GIL)',
  source: section(asyncioArticle, 'When async does not help: CPU-bound work'),
  expected:
    'In Python, gathering two to_thread(heavy_cpu_task) calls is not parallel (the GIL); use a process pool. ' +
    'In Node, worker threads run JavaScript in parallel, so two sums on two threads should take about half ' +
    'the time of two sums on the main thread.',
  async run(ctx) {
    const n = ctx.cpuIterations;
    const results: number[] = [];
    const rounds = 5;

    ctx.step('warming up two threads');
    await gather([() => toThread(sumRange, 1_000_000), () => toThread(sumRange, 1_000_000)]);

    ctx.step(`sumRange(${n}) twice: on the main thread, then on two threads at once (best of ${rounds})`);
    const [mainMs, threadMs] = await fastestOfEach(
      rounds,
      () => results.push(sumRange(n), sumRange(n)),
      async () => results.push(...(await gather([() => toThread(sumRange, n), () => toThread(sumRange, n)]))),
    );
    ctx.log(`main thread: ${seconds(mainMs)} (the event loop was blocked all along)`);
    ctx.log(`two threads: ${seconds(threadMs)} (the event loop stayed free)`);

    const correct = results.length === 4 * rounds && results.every((value) => value === expectedSum(n));
    const speedUp = mainMs / threadMs;
    return {
      ok: correct && threadMs < 0.9 * mainMs,
      measured: `${workloadNote(n)}; main thread ${seconds(mainMs)}, two threads ${seconds(threadMs)} (${speedUp.toFixed(2)}× speed-up; sums ${correct ? 'correct' : 'WRONG'})`,
      data: { n, mainMs, threadMs, speedUp, correct },
    };
  },
});
