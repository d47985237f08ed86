import type { FastifyReply } from 'fastify';

/**
 * An `AbortSignal` that aborts when the client goes away before its answer is complete, so the work done
 * for it (upstream requests, a thread, a chat stream) stops instead of running for nobody.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  if (response.destroyed) {
    controller.abort(clientGone());
  } else {
    response.once('close', () => {
      if (!response.writableFinished) controller.abort(clientGone());
    });
  }
  return controller.signal;
}

function clientGone(): Error {
  const error = new Error('The client closed the connection before the answer was complete.');
  error.name = 'AbortError';
  return error;
}
