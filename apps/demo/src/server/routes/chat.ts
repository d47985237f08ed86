import { runSync, runSyncStream } from '@x/sync-bridge';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chatCompletionStream } from '../chat-completion-stream.js';
import { type HttpError, UpstreamError, UpstreamTimeoutError } from '../errors.js';
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
  const firstWord: FirstWordPace = { estimateMs: undefined };
  // Start the bridge worker and load the client in it before the first request: done lazily, the first
  // answer's first step would block the event loop for the worker's start-up (about a second here).
  app.addHook('onReady', (done) => {
    try {
      runSync(async (url: string) => {
        await import(url);
      }, OPENAI_MODULE);
    } catch (error) {
      app.log.warn(
        { err: error },
        'the chat bridge could not be warmed up; /chat will report its own errors',
      );
    }
    done();
  });
  app.get('/chat', {
    // A HEAD request would open a whole answer for nobody.
    exposeHeadRoute: false,
    schema: {
      querystring: { type: 'object', required: ['prompt'], properties: { prompt: promptSchema } },
    },
    handler: (request: FastifyRequest<{ Querystring: { prompt: string } }>, reply) =>
      chat(app, request.query.prompt, reply, firstWord),
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
    handler: (request: FastifyRequest<{ Body: { prompt: string } }>, reply) =>
      chat(app, request.body.prompt, reply, firstWord),
  });
}

/** A running estimate of the chat API's time to first word, shared by the answers of one server. */
interface FirstWordPace {
  estimateMs: number | undefined;
}

/**
 * The synchronous handler: no `async`, no `await`.
 *
 * Its first step waits for the model's first word, which blocks the event loop. So it is taken on a timer,
 * after about 0.8 of the recent time to first word, when the word is usually there already (see the
 * pacing in event-stream.ts for the words that follow).
 */
function chat(app: FastifyInstance, prompt: string, reply: FastifyReply, firstWord: FirstWordPace): void {
  const { baseURL, apiKey, model, idleTimeoutMs } = app.demo.chat;
  const startedAt = performance.now();
  const pieces = runSyncStream(
    chatCompletionStream,
    OPENAI_MODULE,
    baseURL,
    apiKey,
    model,
    prompt,
    idleTimeoutMs,
  );
  let clientGone = false;
  const onClose = () => {
    clientGone = true;
  };
  reply.raw.once('close', onClose);
  const firstStep = () => {
    reply.raw.off('close', onClose);
    if (clientGone) {
      pieces.return();
      return;
    }
    // Take the first piece before answering, so a chat API that fails at once is a 502/504 JSON answer
    // rather than a stream that starts and breaks.
    let first: IteratorResult<string, void>;
    try {
      first = pieces.next();
    } catch (error) {
      reply.send(asHttpError(error));
      return;
    }
    const took = performance.now() - startedAt;
    firstWord.estimateMs =
      firstWord.estimateMs === undefined ? took : 0.7 * firstWord.estimateMs + 0.3 * took;
    sendEventStream(reply, answerFrames(first, pieces));
  };
  const pause = Math.min(idleTimeoutMs, 0.8 * (firstWord.estimateMs ?? 0));
  if (pause >= 2) setTimeout(firstStep, pause);
  else firstStep();
}

/**
 * The SSE frames of one answer: a `data` frame per piece, then `done`, or `error` if the stream fails.
 * Closing it early closes the chat stream behind it, even before its first step (a generator that has not
 * started skips its `finally` when closed, hence the wrapper).
 */
function answerFrames(first: IteratorResult<string, void>, rest: Iterator<string, void>): Iterator<string> {
  const frames = (function* () {
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
    }
  })();
  return {
    next: () => frames.next(),
    return: () => {
      try {
        return frames.return(undefined);
      } finally {
        rest.return?.();
      }
    },
  };
}

/** Maps what the bridge threw to an answer safe to show: our own messages, never a stack. */
function asHttpError(error: unknown): HttpError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_X_UPSTREAM_TIMEOUT') return new UpstreamTimeoutError(message, { cause: error });
  if (code === 'ERR_X_UPSTREAM') return new UpstreamError(message, { cause: error });
  return new UpstreamError('The chat bridge failed; try again.', { cause: error });
}
