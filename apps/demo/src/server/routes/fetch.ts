import type { FastifyInstance } from 'fastify';
import { withUpstreamDeadline } from '../deadline.js';
import { ForbiddenUrlError, InvalidInputError, UpstreamError } from '../errors.js';
import { clientGoneSignal } from '../request-signal.js';
import { getJson } from '../upstream-client.js';

/**
 * `GET /fetch?url=`: the source document's "fetch any URL" endpoint, made safe. Only origins on the
 * allowlist (the upstream's, by default) may be fetched, so the server cannot be used to reach internal
 * addresses; redirects are not followed (they could leave the allowlist); the answer must be JSON, is
 * bounded in size, and is fetched under the server's deadline.
 */
export function fetchRoutes(app: FastifyInstance): void {
  const { fetchAllowlist, timeoutMs } = app.demo;
  app.get<{ Querystring: { url: string } }>(
    '/fetch',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['url'],
          properties: { url: { type: 'string', minLength: 1, maxLength: 2048 } },
        },
      },
    },
    async (request, reply) => {
      const target = checkTarget(request.query.url, fetchAllowlist);
      const { status, body } = await withUpstreamDeadline(timeoutMs, clientGoneSignal(reply), (signal) =>
        getJson(target, signal),
      );
      if (status < 200 || status >= 300) {
        throw new UpstreamError(`The URL answered with HTTP ${status}.`, {
          details: { upstreamStatus: status },
        });
      }
      return { url: target.href, status, body };
    },
  );
}

function checkTarget(raw: string, allowlist: readonly string[]): URL {
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new InvalidInputError(
      `The "url" query parameter must be an absolute URL. Received ${JSON.stringify(raw.slice(0, 100))}`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ForbiddenUrlError(
      `Only http and https URLs may be fetched. Received a ${target.protocol} URL.`,
    );
  }
  if (target.username || target.password) {
    throw new ForbiddenUrlError('URLs with credentials may not be fetched.');
  }
  if (!allowlist.includes(target.origin)) {
    throw new ForbiddenUrlError(
      `${target.origin} is not on this server's allowlist; allowed: ${allowlist.join(', ')}.`,
    );
  }
  return target;
}
