import { cloneError, DataCloneError, invokeRemote, serializeError } from '@x/executor/worker';
import type { FromWorker, ToWorker } from './protocol.js';

/** A pending chunk older than this is flushed even while the producer keeps producing synchronously. */
const MAX_BATCH_AGE_MS = 1;
/** A cancelled stream whose producer has not closed after this long stops counting as running work. */
const DETACH_AFTER_MS = 2_000;

/** What a producer needs from the worker around it. */
export interface WorkerHooks {
  /** Sends a message to the caller and wakes it. */
  post(message: FromWorker): void;
  /** This stream is running again: the worker must keep its event loop turning. */
  started(): void;
  /** This stream no longer needs the event loop (paused or over). */
  finished(): void;
  /** The stream is over. */
  done(id: number): void;
}

/** The DataCloneError naming `position` for a value postMessage refused (other errors pass through). */
export function cloneFailure(value: unknown, position: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'DataCloneError') return error;
  return cloneError(value, position) ?? new DataCloneError(position, error.message, { cause: error });
}

function iteratorOf(value: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  const v = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: unknown };
  if (v != null && typeof v[Symbol.asyncIterator] === 'function') return v[Symbol.asyncIterator]!();
  if (v != null && typeof v[Symbol.iterator] === 'function' && typeof v !== 'string') {
    return (v[Symbol.iterator] as () => Iterator<unknown>)();
  }
  throw new TypeError(
    `The function given to runSyncStream() must return an async iterable (an async generator, a ReadableStream, an SDK stream); it returned ${value === null ? 'null' : typeof value}.`,
  );
}

/**
 * The worker side of one stream: pulls the async iterator, batches the chunks that are ready per wake-up,
 * stops when the consumer's credit (highWaterMark) is used up, and closes the iterator when the consumer
 * leaves early.
 */
export class Producer {
  #pending: unknown[] = [];
  #pendingSince = 0;
  #sent = 0;
  #flushScheduled = false;
  #cancelled = false;
  /** The consumer already received an error for this stream: close quietly. */
  #failed = false;
  #wake: (() => void) | undefined;
  /** Cancelled while awaiting a producer that did not close in time: no longer counted as running work. */
  #detached = false;
  #detachTimer: ReturnType<typeof setTimeout> | undefined;
  #iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;

  constructor(
    readonly id: number,
    private credit: number,
    private readonly worker: WorkerHooks,
  ) {}

  grant(n: number): void {
    this.credit += n;
    this.#resume();
  }

  /**
   * The consumer left: the loop stops at its next turn and calls the iterator's `return()`. A `next()`
   * in flight is not raced: `return()` of an async generator or a ReadableStream would wait for it anyway.
   */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    if (this.#wake) this.#resume();
    else {
      // Awaiting the producer, which may never answer. Past the consumer's grace nobody waits for this
      // close any more, so it must not keep the worker from blocking between calls; it still completes
      // whenever the producer does.
      this.#detachTimer = setTimeout(() => {
        this.#detached = true;
        this.worker.finished();
      }, DETACH_AFTER_MS);
    }
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake) {
      this.worker.started();
      wake();
    }
  }

  /** Sends the pending chunks now, with the end of the stream when `end` is given. */
  #flush(end = false): void {
    const chunks = this.#pending;
    this.#pending = [];
    try {
      this.worker.post(
        end ? { t: 'chunks', id: this.id, chunks, end } : { t: 'chunks', id: this.id, chunks },
      );
      this.#sent += chunks.length;
    } catch (error) {
      // Send the chunks before the one that cannot be cloned, then fail the stream there.
      let bad = chunks.findIndex((chunk, i) => cloneError(chunk, `chunk ${i}`) !== undefined);
      if (bad < 0) bad = 0;
      const failure = cloneFailure(chunks[bad], `chunk ${this.#sent + bad + 1} of the stream`, error);
      this.worker.post({
        t: 'chunks',
        id: this.id,
        chunks: chunks.slice(0, bad),
        error: serializeError(failure),
      });
      this.#failed = true;
      this.cancel();
    }
  }

  #fail(error: unknown): void {
    this.#failed = true;
    const chunks = this.#pending;
    this.#pending = [];
    try {
      this.worker.post({ t: 'chunks', id: this.id, chunks, error: serializeError(error) });
    } catch {
      // A pending chunk cannot be cloned: the producer's own error matters more.
      this.worker.post({ t: 'chunks', id: this.id, chunks: [], error: serializeError(error) });
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#pending.length > 0 && !this.#cancelled) this.#flush();
    });
  }

  async pump({ ref, args }: Extract<ToWorker, { t: 'stream' }>): Promise<void> {
    this.worker.started();
    try {
      this.#iterator = iteratorOf(await invokeRemote(ref, args));
      while (!this.#cancelled) {
        if (this.credit <= 0) {
          if (this.#pending.length > 0) this.#flush();
          if (this.#cancelled) break;
          // Paused until the consumer takes some chunks: this stream no longer keeps the loop busy.
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            this.worker.finished();
          });
          continue;
        }
        const step = await this.#iterator.next();
        if (this.#cancelled) break;
        if (step.done) {
          this.#flush(true);
          return;
        }
        this.credit--;
        const waiting = this.#pending.push(step.value);
        if (waiting === 1) this.#pendingSince = performance.now();
        // The first chunk goes at once (time to first chunk); later ones are batched per wake-up, unless a
        // producer that never yields to the event loop has kept them waiting too long.
        if (
          this.#sent === 0 ||
          this.credit === 0 ||
          (waiting % 16 === 0 && performance.now() - this.#pendingSince > MAX_BATCH_AGE_MS)
        ) {
          this.#flush();
        } else {
          this.#scheduleFlush();
        }
      }
      await this.#close();
    } catch (error) {
      if (this.#cancelled) await this.#close(error);
      else {
        this.#fail(error);
        await this.#close();
      }
    } finally {
      clearTimeout(this.#detachTimer);
      this.worker.done(this.id);
      if (!this.#detached) this.worker.finished();
    }
  }

  /** Runs the iterator's `return()` (the producer's `finally`) and acknowledges a cancel. */
  async #close(earlier?: unknown): Promise<void> {
    let error = earlier;
    try {
      await this.#iterator?.return?.();
    } catch (e) {
      error ??= e;
    }
    if (this.#failed) return;
    this.worker.post(
      error === undefined
        ? { t: 'closed', id: this.id }
        : { t: 'closed', id: this.id, error: serializeError(error) },
    );
  }
}
