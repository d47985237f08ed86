import { gather } from '@x/gather';
import type { FastifyInstance } from 'fastify';
import { withUpstreamDeadline } from '../deadline.js';
import { clientGoneSignal } from '../request-signal.js';
import { fetchOrders, fetchUser } from '../user-api.js';

const userId = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

/** Runs `fn` and reports how long it took, so the dashboard can compare gathered with sequential. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * `GET /users/:userId`: one user from the upstream, under the server's deadline.
 * `GET /dashboard?user_id=`: the user and their orders fetched at once with `gather`, under one
 * `withTimeout` deadline; a failure of either cancels the other, a deadline cancels both (504), and the
 * answer says how long it took and how long the two calls would have taken one after the other.
 */
export function userRoutes(app: FastifyInstance): void {
  const { upstreamUrl, timeoutMs } = app.demo;
  // Every call waits for a slot of the server-wide limiter. `signal` is the request's (deadline or client
  // gone): aborting it takes a queued call out of the queue at once, and cancels a running one.
  const { upstreamLimit } = app;
  const limitedUser = (id: number, signal: AbortSignal) =>
    upstreamLimit((signal) => fetchUser(upstreamUrl, id, signal), { signal });
  const limitedOrders = (id: number, signal: AbortSignal) =>
    upstreamLimit((signal) => fetchOrders(upstreamUrl, id, signal), { signal });

  app.get<{ Params: { userId: number } }>(
    '/users/:userId',
    { schema: { params: { type: 'object', required: ['userId'], properties: { userId } } } },
    async (request, reply) =>
      withUpstreamDeadline(timeoutMs, clientGoneSignal(reply), (signal) =>
        limitedUser(request.params.userId, signal),
      ),
  );

  app.get<{ Querystring: { user_id: number } }>(
    '/dashboard',
    {
      schema: {
        querystring: { type: 'object', required: ['user_id'], properties: { user_id: userId } },
      },
    },
    async (request, reply) => {
      const id = request.query.user_id;
      const started = performance.now();
      const [user, orders] = await withUpstreamDeadline(timeoutMs, clientGoneSignal(reply), (signal) =>
        gather(
          [
            (signal) => timed(() => limitedUser(id, signal)),
            (signal) => timed(() => limitedOrders(id, signal)),
          ],
          { signal },
        ),
      );
      return {
        user: user.value,
        orders: orders.value,
        timing: {
          gatheredMs: round(performance.now() - started),
          sequentialMs: round(user.ms + orders.ms),
          userMs: round(user.ms),
          ordersMs: round(orders.ms),
        },
      };
    },
  );
}
