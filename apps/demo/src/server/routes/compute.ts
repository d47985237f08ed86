import { toThread } from '@x/to-thread';
import type { FastifyInstance } from 'fastify';
import { sumRange } from '../sum-range.js';

interface ComputeQuery {
  n: number;
  mode: 'thread' | 'main';
}

/**
 * `GET /compute?n=&mode=`: the source document's CPU-bound endpoint. FastAPI runs a plain `def` endpoint
 * in a thread pool by itself; Node has no such pool, so `mode=thread` (the default) hands the loop to
 * `toThread` and the event loop keeps serving. `mode=main` runs it on the event loop on purpose, to show
 * what every other request suffers meanwhile (watch `/heartbeat`).
 */
export function computeRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: ComputeQuery }>(
    '/compute',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['n'],
          properties: {
            n: { type: 'integer', minimum: 0, maximum: app.demo.maxComputeN },
            mode: { type: 'string', enum: ['thread', 'main'], default: 'thread' },
          },
        },
      },
    },
    async (request) => {
      const { n, mode } = request.query;
      const started = performance.now();
      const result = mode === 'thread' ? await toThread(sumRange, n) : sumRange(n);
      return { n, mode, result, ms: Math.round((performance.now() - started) * 10) / 10 };
    },
  );
}
