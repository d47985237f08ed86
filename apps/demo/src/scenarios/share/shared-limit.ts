import { setTimeout as delay } from 'node:timers/promises';
import { limit } from '@x/locks';
import { defineScenario } from '../../tour/scenario.js';

export default defineScenario({
  id: 'share/shared-limit',
  title: 'limit(): one shared limit of 2 protects an upstream across 6 concurrent requests',
  source: 'Python docs, asyncio "Synchronization Primitives" (Semaphore); issue 15',
  expected:
    'Like one asyncio.Semaphore(2) shared by every request: never more than 2 upstream calls at once, the rest wait in order; a request that gives up while queued never reaches the upstream.',
  async run(ctx) {
    const callMs = ctx.ms(1000);
    const upstream = limit(2);
    let inFlight = 0;
    let peak = 0;
    const reached: number[] = [];
    const fakeUpstream = async (id: number, signal: AbortSignal) => {
      reached.push(id);
      peak = Math.max(peak, ++inFlight);
      try {
        await delay(callMs, undefined, { signal });
        return `report ${id}`;
      } finally {
        inFlight--;
      }
    };
    // Request 5's client disconnects while it is still queued.
    const disconnect = new AbortController();
    const requests = [1, 2, 3, 4, 5, 6].map((id) =>
      upstream((signal) => fakeUpstream(id, signal), {
        signal: id === 5 ? disconnect.signal : ctx.signal,
      }),
    );
    ctx.log(`after 6 requests: active ${upstream.activeCount}, pending ${upstream.pendingCount}`);
    const counts = { active: upstream.activeCount, pending: upstream.pendingCount };
    disconnect.abort(new Error('client went away'));
    ctx.log(`request 5 disconnected while queued: pending ${upstream.pendingCount}`);
    const settled = await Promise.allSettled(requests);
    const served = settled.filter((s) => s.status === 'fulfilled').length;
    ctx.log(`upstream saw requests ${reached.join(', ')}; at most ${peak} at once`);
    const ok =
      peak === 2 && counts.active === 2 && counts.pending === 4 && served === 5 && !reached.includes(5);
    return {
      ok,
      measured: `at most ${peak} upstream calls at once (active 2 / pending 4 at the start); ${served} served, request 5 left the queue and never reached the upstream`,
      data: { peak, counts, served, reached },
    };
  },
});
