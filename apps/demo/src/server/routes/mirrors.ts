import { any } from '@x/gather';
import type { FastifyInstance } from 'fastify';
import type { User } from '../../upstream/data.js';
import { withUpstreamDeadline } from '../deadline.js';
import { NotFoundError, UpstreamError } from '../errors.js';
import { clientGoneSignal } from '../request-signal.js';
import { getJson } from '../upstream-client.js';

/**
 * The mirrors of the user API the route asks at once. In the demo they are the one upstream fake, each asking
 * it for extra latency (`?delay_ms=`), as if they were at different distances.
 */
export const MIRRORS: readonly { name: string; delayMs: number }[] = [
  { name: 'far', delayMs: 300 },
  { name: 'nearby', delayMs: 0 },
  { name: 'overseas', delayMs: 600 },
];

type Outcome = 'won' | 'aborted' | 'failed';

const userId = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

/**
 * `GET /fastest-mirror?user_id=`: one user, asked of every mirror at once with `any` from `@x/gather`. The
 * first answer wins; at that moment the requests to the other mirrors are aborted (the fake upstream counts
 * them as `abandoned`), and with `waitForStop: true` the answer is sent only once they have stopped, so the
 * `mirrors` it lists are final. All mirrors failing is a 502 (a 404 if they all said the user does not exist),
 * and the server's deadline is a 504, as for `/users`.
 */
export function mirrorRoutes(app: FastifyInstance): void {
  const { upstreamUrl, timeoutMs } = app.demo;
  app.get<{ Querystring: { user_id: number } }>(
    '/fastest-mirror',
    {
      schema: {
        querystring: { type: 'object', required: ['user_id'], properties: { user_id: userId } },
      },
    },
    async (request, reply) => {
      const id = request.query.user_id;
      const outcomes: Outcome[] = MIRRORS.map(() => 'failed');
      const started = performance.now();
      const { index, user } = await withUpstreamDeadline(timeoutMs, clientGoneSignal(reply), (signal) =>
        any(
          MIRRORS.map((mirror, index) => async (signal: AbortSignal) => {
            try {
              return { index, user: await userFromMirror(upstreamUrl, mirror.delayMs, id, signal) };
            } catch (error) {
              if (signal.aborted) outcomes[index] = 'aborted';
              throw error;
            }
          }),
          { signal, waitForStop: true },
        ).catch((error: unknown) => {
          throw error instanceof AggregateError ? noMirrorAnswered(error) : error;
        }),
      );
      outcomes[index] = 'won';
      return {
        user,
        mirror: MIRRORS[index]!.name,
        ms: Math.round((performance.now() - started) * 10) / 10,
        mirrors: MIRRORS.map((mirror, i) => ({ ...mirror, outcome: outcomes[i] })),
      };
    },
  );
}

async function userFromMirror(base: string, delayMs: number, id: number, signal: AbortSignal): Promise<User> {
  const { status, body } = await getJson(`${base}/users/${id}?delay_ms=${delayMs}`, signal);
  if (status === 404) throw new NotFoundError(`User ${id} does not exist.`);
  if (status !== 200)
    throw new UpstreamError(`A mirror answered with HTTP ${status}.`, {
      details: { upstreamStatus: status },
    });
  const user = body as Partial<User> | null;
  if (typeof user?.id !== 'number' || typeof user.name !== 'string')
    throw new UpstreamError('A mirror answered with JSON of an unexpected shape.');
  return user as User;
}

/** Every mirror failed: the same 404 if they all agree the user does not exist, else a 502. */
function noMirrorAnswered(error: AggregateError): Error {
  if (error.errors.every((e) => e instanceof NotFoundError)) return error.errors[0] as NotFoundError;
  return new UpstreamError(`None of the ${error.errors.length} mirrors answered.`, { cause: error });
}
