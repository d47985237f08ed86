import { defaultThreadPool } from '@x/to-thread';
import type { FastifyInstance } from 'fastify';
import { watchLoopDelay } from '../loop-delay.js';

const round = (ms: number) => Math.round(ms * 100) / 100;

/** What the page shows of the `/compute` pool (toThread's default pool), from `pool.stats()`. */
export function computePoolStats() {
  const stats = defaultThreadPool().stats();
  return {
    workers: stats.workers,
    running: stats.running,
    queued: stats.queued,
    completed: stats.completed,
    utilization: Math.round(stats.utilization * 1000) / 1000,
    runP50: round(stats.runTime.p50),
    runP99: round(stats.runTime.p99),
    waitP50: round(stats.waitTime.p50),
    waitP99: round(stats.waitTime.p99),
  };
}

const startedAt = performance.now();

/**
 * `GET /health`: a cheap liveness answer. `GET /heartbeat`: Server-Sent Events, one `data:` line per
 * interval with the worst event-loop delay seen in it (`delayMs`), so a page can draw the loop's health live,
 * the upstream limiter's counts at that moment (`upstream: { active, pending, limit }`), and the `/compute`
 * pool's state from `pool.stats()` (`compute: { workers, running, queued, completed, utilization, runP50,
 * runP99, waitP50, waitP99 }`, times in ms).
 */
export function healthRoutes(app: FastifyInstance): void {
  app.get('/health', () => ({
    status: 'ok',
    uptimeSeconds: Math.round((performance.now() - startedAt) / 1000),
  }));

  app.get<{ Querystring: { interval_ms: number } }>(
    '/heartbeat',
    {
      // A HEAD request would hold an endless stream open.
      exposeHeadRoute: false,
      schema: {
        querystring: {
          type: 'object',
          properties: { interval_ms: { type: 'integer', minimum: 20, maximum: 5000, default: 100 } },
        },
      },
    },
    (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      raw.write(': heartbeat\n\n');
      const { upstreamLimit } = app;
      const stop = watchLoopDelay(request.query.interval_ms, (delayMs) => {
        const upstream = {
          active: upstreamLimit.activeCount,
          pending: upstreamLimit.pendingCount,
          limit: upstreamLimit.concurrency,
        };
        const compute = computePoolStats();
        raw.write(`data: ${JSON.stringify({ t: Date.now(), delayMs, upstream, compute })}\n\n`);
      });
      raw.once('close', stop);
    },
  );
}
