import { gather } from '@x/gather';
import { ProcessPool } from '@x/process-pool';
import { toThread } from '@x/to-thread';
import { defineScenario } from '../../tour/scenario.js';
import { expectedSum, fastestOfEach, sumRange } from '../shared/cpu.js';
import { blockingRequest, watchEventLoop } from '../shared/event-loop.js';
import { fetchOrder, fetchUser } from '../shared/fake-api.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { millis, seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'basics/which-tool',
  title: "The article's table: which tool for which kind of work, each measured here",
  source: section(asyncioArticle, 'When async does not help: the summary table'),
  expected:
    'I/O-bound work (APIs, DB, files): async/await with gather. CPU-bound work: a process pool. I/O through a ' +
    'synchronous library: to_thread.',
  async run(ctx) {
    const { signal } = ctx;

    ctx.step('I/O-bound: two API calls, sequential vs gathered');
    const delayMs = ctx.ms(1000);
    let clock = stopwatch();
    await fetchUser(1, { delayMs, signal });
    await fetchOrder(1, { delayMs, signal });
    const ioSequentialMs = clock();
    clock = stopwatch();
    await gather(
      [(s) => fetchUser(1, { delayMs, signal: s }), (s) => fetchOrder(1, { delayMs, signal: s })],
      { signal },
    );
    const ioGatheredMs = clock();

    ctx.step('CPU-bound: two sums, main thread vs process pool (best of 3)');
    const n = ctx.cpuIterations;
    const sums: number[] = [];
    let cpuMainMs: number;
    let cpuPoolMs: number;
    {
      await using pool = new ProcessPool({ maxWorkers: 2 });
      await Promise.all([pool.submit(sumRange, [1_000_000]), pool.submit(sumRange, [1_000_000])]);
      [cpuMainMs, cpuPoolMs] = await fastestOfEach(
        3,
        () => sums.push(sumRange(n), sumRange(n)),
        async () =>
          sums.push(...(await Promise.all([pool.submit(sumRange, [n]), pool.submit(sumRange, [n])]))),
      );
    }

    ctx.step('sync-library I/O: event-loop stall, direct vs toThread');
    const blockMs = ctx.ms(1000);
    await toThread(blockingRequest, 'warm-up', 1);
    const direct = await watchEventLoop(async () => blockingRequest('https://api.example.test', blockMs));
    const threaded = await watchEventLoop(() =>
      toThread(blockingRequest, 'https://api.example.test', blockMs),
    );

    const rows = [
      ['work', 'tool', 'measured here'],
      [
        'I/O-bound (API, DB, files)',
        'async/await + gather',
        `2 calls: ${seconds(ioSequentialMs)} -> ${seconds(ioGatheredMs)}`,
      ],
      ['CPU-bound (compute)', 'ProcessPool', `2 sums: ${seconds(cpuMainMs)} -> ${seconds(cpuPoolMs)}`],
      [
        'I/O via a sync library',
        'toThread',
        `event-loop stall: ${millis(direct.maxDelayMs)} -> ${millis(threaded.maxDelayMs)}`,
      ],
    ];
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
    for (const row of rows) ctx.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
    ctx.log('(in Node, toThread also runs CPU work in parallel: see thread/cpu-bound)');

    const ok =
      ioGatheredMs < 0.75 * ioSequentialMs &&
      sums.every((sum) => sum === expectedSum(n)) &&
      cpuPoolMs < 0.9 * cpuMainMs &&
      direct.maxDelayMs >= 0.8 * blockMs &&
      threaded.maxDelayMs < 0.5 * direct.maxDelayMs;
    return {
      ok,
      measured:
        `I/O: gather ${(ioSequentialMs / ioGatheredMs).toFixed(1)}× faster; CPU: process pool ` +
        `${(cpuMainMs / cpuPoolMs).toFixed(1)}× faster; sync I/O: event-loop stall ${millis(direct.maxDelayMs)} -> ${millis(threaded.maxDelayMs)} with toThread`,
      data: {
        ioSequentialMs,
        ioGatheredMs,
        cpuMainMs,
        cpuPoolMs,
        directStallMs: direct.maxDelayMs,
        threadedStallMs: threaded.maxDelayMs,
      },
    };
  },
});
