import { toThread } from '@x/to-thread';
import { defineScenario } from '../../tour/scenario.js';
import { blockingRequest, watchEventLoop } from '../shared/event-loop.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { millis, seconds } from '../shared/time.js';

export default defineScenario({
  id: 'pitfall/blocking-call',
  title: 'A blocking call inside async code stalls the event loop; toThread keeps it free',
  source: section(asyncioArticle, 'Pitfalls: a synchronous library inside an async function'),
  expected:
    'A synchronous HTTP call (requests) inside async code blocks the event loop for as long as it waits, so ' +
    'nothing else runs; use an async client, or move the call off the loop (to_thread).',
  async run(ctx) {
    const blockMs = ctx.ms(2000);
    const url = 'https://api.example.test/report';
    ctx.step('warming up a thread');
    await toThread(blockingRequest, url, 1);

    ctx.step('blocking call on the event loop');
    const blocked = await watchEventLoop(async () => blockingRequest(url, blockMs));
    ctx.log(
      `on the event loop: worst delay ${millis(blocked.maxDelayMs)}, ${blocked.heartbeats} heartbeat(s) got through`,
    );

    ctx.step('the same call through toThread');
    const threaded = await watchEventLoop(() => toThread(blockingRequest, url, blockMs));
    ctx.log(
      `through toThread: worst delay ${millis(threaded.maxDelayMs)}, ${threaded.heartbeats} heartbeat(s) got through`,
    );

    const ok = blocked.maxDelayMs >= 0.8 * blockMs && threaded.maxDelayMs < 0.5 * blocked.maxDelayMs;
    return {
      ok,
      measured:
        `a ${seconds(blockMs)} blocking call stalled the event loop by ${millis(blocked.maxDelayMs)} ` +
        `(${blocked.heartbeats} heartbeats); through toThread the worst delay was ${millis(threaded.maxDelayMs)} (${threaded.heartbeats} heartbeats)`,
      data: { blockMs, blocked, threaded },
    };
  },
});
