import { setTimeout as delay } from 'node:timers/promises';
import { withTimeout } from '@x/timeout';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'timeout/wait-for',
  title: 'withTimeout (wait_for): a 10 s task under a 3 s deadline is cancelled, not abandoned',
  source: section(asyncioArticle, 'Timeouts'),
  expected:
    'wait_for(task, timeout=3.0) on a 10 s task raises TimeoutError after 3 s ("timed out"), and the task is cancelled.',
  async run(ctx) {
    const taskMs = ctx.ms(10_000);
    const deadlineMs = ctx.ms(3000);
    const elapsed = stopwatch();
    let taskState = 'running';

    const longTask = async (signal: AbortSignal) => {
      try {
        await delay(taskMs, undefined, { signal });
        taskState = 'finished';
        return 'result of A';
      } catch (error) {
        taskState = `cancelled at ${seconds(elapsed())} (signal reason: ${(signal.reason as Error).name})`;
        throw error;
      }
    };

    let error: Error | undefined;
    try {
      await withTimeout(deadlineMs, longTask, { signal: ctx.signal });
    } catch (caught) {
      error = caught as Error;
    }
    const timedOutAtMs = elapsed();
    ctx.log(
      `${error?.name === 'TimeoutError' ? 'timed out' : 'no timeout'} at ${seconds(timedOutAtMs)}: ${error?.message}`,
    );
    // Give a task that ignored its signal time to show itself; ours must not finish.
    await delay(ctx.ms(500), undefined, { signal: ctx.signal });
    ctx.log(`the task: ${taskState}`);

    const cancelled = taskState.startsWith('cancelled');
    const ok =
      error?.name === 'TimeoutError' &&
      cancelled &&
      timedOutAtMs >= 0.9 * deadlineMs &&
      timedOutAtMs < 0.6 * taskMs;
    return {
      ok,
      measured: `${error?.name ?? 'no error'} after ${seconds(timedOutAtMs)} (deadline ${seconds(deadlineMs)}); the task was ${taskState}`,
      data: { timedOutAtMs, deadlineMs, taskMs, errorName: error?.name, cancelled, taskState },
    };
  },
});
