import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from '@x/queue';
import { defineScenario } from '../../tour/scenario.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'share/bounded-queue',
  title: 'Queue({ maxsize: 3 }): a fast producer waits for slow consumers (backpressure), then join()',
  source: 'Python docs, asyncio "Queues" (producer/consumer example); issue 15',
  expected:
    "Like asyncio.Queue(maxsize=3): put() waits while 3 items are queued, so the producer advances at the consumers' pace; join() returns once every item was marked done.",
  async run(ctx) {
    const workMs = ctx.ms(500);
    const items = 12;
    const queue = new Queue<number>({ maxsize: 3 });
    const elapsed = stopwatch();
    let maxSize = 0;
    const processed: number[] = [];
    const consumer = async () => {
      for await (const item of queue) {
        await delay(workMs, undefined, { signal: ctx.signal });
        processed.push(item);
        queue.taskDone();
      }
    };
    const consumers = [consumer(), consumer()];
    let putWaitMs = 0;
    for (let i = 0; i < items; i++) {
      const t0 = elapsed();
      await queue.put(i, { signal: ctx.signal });
      putWaitMs += elapsed() - t0;
      maxSize = Math.max(maxSize, queue.size);
    }
    const producerDoneMs = elapsed();
    ctx.log(`producer done after ${seconds(producerDoneMs)}, ${seconds(putWaitMs)} of it waiting for room`);
    await queue.join({ signal: ctx.signal });
    const joinedMs = elapsed();
    ctx.log(`join() returned after ${seconds(joinedMs)}: ${processed.length} items processed`);
    queue.shutdown();
    await Promise.all(consumers);
    // 12 items, 2 consumers of workMs each: about 6 rounds. Without backpressure the producer would finish at once.
    const ok =
      maxSize <= 3 && processed.length === items && putWaitMs >= 3 * workMs && joinedMs >= 5 * workMs;
    return {
      ok,
      measured: `queue never above ${maxSize}; the producer waited ${seconds(putWaitMs)} for room; join() after ${seconds(joinedMs)} with all ${processed.length} items done`,
      data: { maxSize, putWaitMs, producerDoneMs, joinedMs, processed: processed.length, workMs },
    };
  },
});
