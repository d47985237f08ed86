import type { FastifyReply } from 'fastify';

/** Share of the recent interval between chunks to wait before the next step (see sendEventStream). */
const PACE = 0.8;
/** Never wait longer than this before a step, whatever the interval. */
const MAX_PACE_MS = 250;

/** One Server-Sent Events frame. `data` is sent as JSON on a single line. */
export function sseFrame(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Sends a synchronous iterator of text frames as a `text/event-stream` answer: the Node counterpart of
 * Flask's `Response(generator)` and Starlette's `StreamingResponse`.
 *
 * It takes ONE step of the iterator per turn of the event loop and waits for `drain` when the socket is
 * full. A step of a `runSyncStream` iterator blocks this thread until the next chunk arrives; stepping once
 * per turn means other requests (and timers) still run between chunks instead of waiting for the whole
 * answer. Steps are also paced: when chunks come at intervals, the next step is taken a little before the
 * next chunk is due (about 0.8 of the recent interval), so it usually finds the chunk already there and
 * does not block. When the client goes away the iterator's `return()` is called, which closes the stream
 * behind it.
 */
export function sendEventStream(reply: FastifyReply, frames: Iterator<string>): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  let finished = false;
  let scheduled: { cancel(): void } | undefined;
  let lastChunkAt: number | undefined;
  let interval: number | undefined;
  const finish = (endResponse: boolean) => {
    if (finished) return;
    finished = true;
    scheduled?.cancel();
    raw.off('drain', schedule);
    try {
      frames.return?.();
    } catch (error) {
      // Closing the stream behind the iterator failed; the answer is over either way, so log it only.
      reply.log.warn({ err: error }, 'closing an event stream failed');
    }
    if (endResponse) raw.end();
  };
  const step = () => {
    scheduled = undefined;
    if (finished) return;
    let result: IteratorResult<string>;
    try {
      result = frames.next();
    } catch (error) {
      // The iterator was expected to turn its own failures into frames; end the answer as cleanly as we can.
      reply.log.error({ err: error }, 'event stream failed');
      finish(true);
      return;
    }
    if (result.done) {
      finished = true;
      raw.end();
      return;
    }
    const now = performance.now();
    if (lastChunkAt !== undefined) {
      const since = now - lastChunkAt;
      interval = interval === undefined ? since : 0.7 * interval + 0.3 * since;
    }
    lastChunkAt = now;
    if (raw.write(result.value)) schedule();
    else raw.once('drain', schedule);
  };
  function schedule() {
    const pause = Math.min(MAX_PACE_MS, PACE * (interval ?? 0) - (performance.now() - (lastChunkAt ?? 0)));
    if (pause >= 2) {
      const timer = setTimeout(step, pause);
      scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(step);
      scheduled = { cancel: () => clearImmediate(immediate) };
    }
  }
  raw.once('close', () => finish(false));
  if (raw.destroyed) finish(false);
  else schedule();
}
