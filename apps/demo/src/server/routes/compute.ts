import { toThread } from '@x/to-thread';
import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../errors.js';
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
      // The schema's coercion would read " " as 0 and "1e3" or "0x10" as numbers: check the raw text first.
      preValidation: async (request) => checkDigits(request.query as unknown as Record<string, unknown>, 'n'),
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

/**
 * Refuses a query parameter whose raw text is not an optionally signed run of digits, with the same 422
 * the schema gives for "abc". Ajv's type coercion happens during validation and accepts more than digits:
 * a blank or whitespace string becomes 0, and "1e3", "0x10" or " 5" become numbers.
 */
function checkDigits(query: Record<string, unknown>, field: string): void {
  const raw = query[field];
  if (typeof raw === 'string' && !/^-?[0-9]+$/.test(raw)) {
    throw new InvalidInputError(`querystring/${field} must be integer`, {
      details: [{ in: 'querystring', field, message: 'must be integer' }],
    });
  }
}
