import { runSync, runSyncStream } from '@x/sync-bridge';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chatCompletionStream } from '../chat-completion-stream.js';
import { HttpError, UpstreamError, UpstreamTimeoutError } from '../errors.js';
import { sendEventStream, sseFrame } from '../event-stream.js';

/** The `openai` module as a URL the bridge worker can import (see chat-completion-stream.ts). */
const OPENAI_MODULE = import.meta.resolve('openai');

const promptSchema = { type: 'string', minLength: 1, maxLength: 2000 } as const;

/**
 * `GET /chat?prompt=` and `POST /chat` with `{ "prompt": ... }`: streams a chat answer as Server-Sent
 * Events (`data: {"delta": "..."}` per piece, then `event: done`). The handler is synchronous, as in the
 * source document's Flask example: it consumes the async `openai` stream through `runSyncStream`.
 */
export function chatRoutes(app: FastifyInstance): void {
  // Start the bridge worker and load the client in it before the first request: done lazily, the first
  // answer's first step would block the event loop for the worker's start-up (about a second here).
  app.addHook('onReady', (done) => {
    try {
      runSync(async (url: string) => {
        await import(url);
      }, OPENAI_MODULE);
    } catch (error) {
      app.log.warn({ err: error }, 'the chat bridge could not be warmed up; /chat will report its own errors');
    }
    done();
  });
  app.get('/chat', {
    schema: {
      querystring: { type: 'object', required: ['prompt'], properties: { prompt: promptSchema } },
    },
    handler: (request: FastifyRequest<{ Querystring: { prompt: string } }>, reply) =>
      chat(app, request.query.prompt, reply),
  });
  app.post('/chat', {
    schema: {
      body: {
        type: 'object',
        required: ['prompt'],
        additionalProperties: false,
        properties: { prompt: promptSchema },
      },
    },
    handler: (request: FastifyRequest<{ Body: { prompt: string } }>, reply) => chat(app, request.body.prompt, reply),
  });
}

/** The synchronous handler: no `async`, no `await`. */
function chat(app: FastifyInstance, prompt: string, reply: FastifyReply): void {
  const { baseURL, apiKey, model, idleTimeoutMs } = app.demo.chat;
  const pieces = runSyncStream(
    chatCompletionStream,
    OPENAI_MODULE,
    baseURL,
    apiKey,
    model,
    prompt,
    idleTimeoutMs,
  );
  // Take the first piece before answering, so a chat API that fails at once is a 502/504 JSON answer
  // rather than a stream that starts and breaks.
  let first: IteratorResult<string, void>;
  try {
    first = pieces.next();
  } catch (error) {
    throw asHttpError(error);
  }
  sendEventStream(reply, answerFrames(first, pieces));
}

function* answerFrames(first: IteratorResult<string, void>, rest: Iterator<string, void>): Generator<string> {
  let count = 0;
  try {
    for (let step = first; !step.done; step = rest.next()) {
      count++;
      yield sseFrame({ delta: step.value });
    }
    yield sseFrame({ pieces: count }, 'done');
  } catch (error) {
    const failure = asHttpError(error);
    yield sseFrame({ code: failure.code, message: failure.message }, 'error');
  } finally {
    rest.return?.();
  }
}

/** Maps what the bridge threw to an answer safe to show: our own messages, never a stack. */
function asHttpError(error: unknown): HttpError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_X_UPSTREAM_TIMEOUT') return new UpstreamTimeoutError(message, { cause: error });
  if (code === 'ERR_X_UPSTREAM') return new UpstreamError(message, { cause: error });
  return new UpstreamError('The chat bridge failed; try again.', { cause: error });
}
