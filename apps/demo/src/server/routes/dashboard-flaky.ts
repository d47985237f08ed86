import { randomUUID } from 'node:crypto';
import { gather } from '@x/gather';
import { defaultRetryIf, retry } from '@x/retry';
import { deadlineScope } from '@x/timeout';
import type { FastifyInstance } from 'fastify';
import type { Order } from '../../upstream/data.js';
import { withUpstreamDeadline } from '../deadline.js';
import { NotFoundError, UpstreamError } from '../errors.js';
import { clientGoneSignal } from '../request-signal.js';
import { getJson } from '../upstream-client.js';
import { fetchUser } from '../user-api.js';

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * `GET /dashboard/flaky?user_id=&failures=`: the dashboard of `/dashboard`, but its orders come from the
 * fake's flaky endpoint, which fails the first `failures` calls (default 1) of every request with a 503.
 * `retry` fixes it within the request's deadline: it waits (full jitter) and tries again, never starting a
 * wait that would end past the deadline; a failing user fetch still cancels the orders (and their retries)
 * at once. The answer says how many attempts the orders took, what failed, and how long each wait was.
 */
export function dashboardFlakyRoutes(app: FastifyInstance): void {
  const { upstreamUrl, timeoutMs } = app.demo;
  const { upstreamLimit } = app;

  app.get<{ Querystring: { user_id: number; failures?: number } }>(
    '/dashboard/flaky',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['user_id'],
          properties: {
            user_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
            failures: { type: 'integer', minimum: 0, maximum: 10 },
          },
        },
      },
    },
    async (request, reply) => {
      const { user_id: id, failures = 1 } = request.query;
      const started = performance.now();
      const requestDeadline = Date.now() + timeoutMs;
      // One key per request: the fake counts failures per key, so every request meets its own.
      const key = randomUUID();
      const attempts: Array<{ attempt: number; error: string; waitMs: number }> = [];
      const [user, orders] = await withUpstreamDeadline(timeoutMs, clientGoneSignal(reply), (signal) =>
        gather(
          [
            (signal) => upstreamLimit((signal) => fetchUser(upstreamUrl, id, signal), { signal }),
            async (signal) => {
              // gather hands this operation a signal of its own (aborted if the user fetch fails), which
              // carries no deadline; a scope on it at the request's deadline gives retry both.
              using scope = deadlineScope(requestDeadline, { signal });
              return await retry(
                (signal) =>
                  upstreamLimit((signal) => fetchFlakyOrders(upstreamUrl, id, key, failures, signal), {
                    signal,
                  }),
                {
                  signal: scope.signal,
                  retries: 3,
                  minDelay: 50,
                  retryIf: (error) => defaultRetryIf(error) && !(error instanceof NotFoundError),
                  onRetry: (error, attempt, delay) =>
                    void attempts.push({ attempt, error: String((error as Error).message), waitMs: delay }),
                },
              );
            },
          ],
          { signal },
        ),
      );
      return {
        user,
        orders,
        retry: { attempts: attempts.length + 1, failed: attempts },
        timing: { totalMs: round(performance.now() - started) },
      };
    },
  );
}

/** GETs the orders from the fake's flaky endpoint: `UpstreamError` (502) for its 503s, as for any failure. */
async function fetchFlakyOrders(
  baseUrl: string,
  userId: number,
  key: string,
  failures: number,
  signal: AbortSignal,
): Promise<Order[]> {
  const query = new URLSearchParams({ user_id: String(userId), key, failures: String(failures) });
  const { status, body } = await getJson(`${baseUrl}/flaky/orders?${query}`, signal);
  if (status !== 200) {
    throw new UpstreamError(`The upstream orders API answered with HTTP ${status}.`, {
      details: { upstreamStatus: status },
    });
  }
  if (!Array.isArray(body))
    throw new UpstreamError('The upstream orders API answered with JSON of an unexpected shape.');
  return body as Order[];
}
