import type { FastifyReply } from 'fastify';

/** One Server-Sent Events frame. `data` is sent as JSON on a single line. */
export function sseFrame(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Sends a synchronous iterator of text frames as a `text/event-stream` answer: the Node counterpart of
 * Flask's `Response(generator)` and Starlette's `StreamingResponse`.
 *
 * It takes ONE step of the iterator per turn of the event loop (`setImmediate` between steps) and waits for
 * `drain` when the socket is full. A step of a `runSyncStream` iterator may block this thread until the
 * next chunk arrives; stepping once per turn means other requests (and timers) still run between chunks
 * instead of waiting for the whole answer. When the client goes away the iterator's `return()` is called,
 * which closes the stream behind it.
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
  let scheduled: NodeJS.Immediate | undefined;
  const finish = (endResponse: boolean) => {
    if (finished) return;
    finished = true;
    if (scheduled) clearImmediate(scheduled);
    raw.off('drain', schedule);
    try {
      frames.return?.();
    } finally {
      if (endResponse) raw.end();
    }
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
    if (raw.write(result.value)) schedule();
    else raw.once('drain', schedule);
  };
  function schedule() {
    scheduled = setImmediate(step);
  }
  raw.once('close', () => finish(false));
  if (raw.destroyed) finish(false);
  else schedule();
}
