import type { RemoteRef } from '@x/executor';
import type { Connection, StreamRecord } from './connection.js';
import { receiveError, sendCall } from './wire.js';

/** With no `timeout`, how long leaving a stream early waits for the producer's `finally`. */
const CLOSE_GRACE_MS = 2_000;

interface Held {
  connection: Connection;
  id: number;
  record: StreamRecord;
}

// A stream dropped without being finished or closed still lets its producer's `finally` run.
const abandoned = new FinalizationRegistry<Held>(({ connection, id, record }) => {
  connection.streams.delete(id);
  if (!record.ended && !connection.failure) {
    try {
      connection.send({ t: 'cancel', id });
    } catch {
      // The worker is gone; nothing is left to close.
    }
  }
});

/**
 * The synchronous generator `runSyncStream` returns: each `next()` hands over the next chunk the async
 * iterable in the bridge worker produced, blocking only when none has arrived yet, and throws the
 * producer's error (or `TimeoutError`/`WorkerCrashedError`) at the step where it happened. At most
 * `highWaterMark` chunks are produced ahead of the consumer. `return()` (what `break` calls) closes the
 * async iterator in the worker and waits until its `finally` has run.
 *
 * @example
 * ```ts
 * using stream = runSyncStream(async function* () { yield 'a'; yield 'b'; });
 * stream.next(); // { done: false, value: 'a' }
 * ```
 * Like the synchronous side of the seeds' `run_async_stream`: a queue fed by `async for` in another thread.
 */
export class SyncStream<T> implements Generator<T, void, undefined> {
  readonly #connection: Connection;
  readonly #id: number;
  readonly #key: string;
  readonly #record: StreamRecord;
  readonly #timeout: number;
  readonly #creditStep: number;
  #uncredited = 0;
  #done = false;

  /** @internal Use `runSyncStream` or `bridge.stream`. */
  constructor(
    connection: Connection,
    id: number,
    ref: RemoteRef,
    args: unknown[],
    highWaterMark: number,
    timeout: number,
  ) {
    this.#connection = connection;
    this.#id = id;
    this.#key = ref.key;
    this.#timeout = timeout;
    this.#creditStep = Math.max(1, highWaterMark >> 1);
    this.#record = {
      chunks: [],
      head: 0,
      ended: false,
      error: undefined,
      closed: false,
      closeError: undefined,
      failure: undefined,
    };
    connection.streams.set(id, this.#record);
    try {
      sendCall(
        connection,
        { t: 'stream', id, ref: connection.refFor(ref), args, credit: highWaterMark },
        args,
      );
    } catch (error) {
      connection.streams.delete(id);
      connection.forget(ref.key);
      throw error;
    }
    abandoned.register(this, { connection, id, record: this.#record }, this);
  }

  /** Returns the next chunk, blocking until the producer yields it; throws the producer's error. */
  next(): IteratorResult<T, void> {
    if (this.#done) return { done: true, value: undefined };
    const record = this.#record;
    if (record.head === record.chunks.length && !record.ended && !record.failure) {
      if (this.#uncredited > 0) this.#grant();
      try {
        this.#connection.waitUntil(
          () => record.head < record.chunks.length || record.ended,
          this.#timeout,
          'A step of runSyncStream()',
        );
      } catch (error) {
        this.#finish();
        throw error;
      }
    }
    if (record.head < record.chunks.length) {
      const value = record.chunks[record.head] as T;
      record.chunks[record.head++] = undefined;
      if (++this.#uncredited >= this.#creditStep) this.#grant();
      return { done: false, value };
    }
    this.#finish();
    if (record.failure) throw record.failure;
    if (record.error) {
      this.#connection.forget(this.#key);
      throw receiveError(record.error);
    }
    return { done: true, value: undefined };
  }

  /**
   * Leaves the stream early: calls the async iterator's `return()` in the worker and blocks until it has
   * finished (so the producer's `finally` has run), or for at most 2 s when the bridge has no `timeout` (a
   * producer stuck awaiting its next chunk closes only once that chunk arrives). Throws what that
   * `return()` threw, or `TimeoutError` past the bridge's `timeout`.
   */
  return(): IteratorResult<T, void> {
    if (this.#done) return { done: true, value: undefined };
    const record = this.#record;
    const connection = this.#connection;
    if (record.ended || record.failure || connection.failure) {
      this.#finish();
      return { done: true, value: undefined };
    }
    try {
      connection.send({ t: 'cancel', id: this.#id });
      // Wait for the producer's cleanup, but not forever when it is stuck awaiting its next chunk (its
      // `return()` runs only after that): with no timeout set, stop waiting after a grace period.
      connection.waitUntil(
        () => record.closed,
        this.#timeout,
        'Closing a runSyncStream()',
        this.#timeout === Number.POSITIVE_INFINITY ? CLOSE_GRACE_MS : Number.POSITIVE_INFINITY,
      );
    } finally {
      this.#finish();
    }
    if (record.closeError) throw receiveError(record.closeError);
    return { done: true, value: undefined };
  }

  /** Closes the stream like {@link SyncStream.return}, then throws `error`. */
  throw(error: unknown): IteratorResult<T, void> {
    this.return();
    throw error;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** Same as {@link SyncStream.return}, for `using stream = runSyncStream(...)`. */
  [Symbol.dispose](): void {
    this.return();
  }

  #grant(): void {
    const n = this.#uncredited;
    this.#uncredited = 0;
    if (!this.#record.ended && !this.#connection.failure)
      this.#connection.send({ t: 'credit', id: this.#id, n });
  }

  #finish(): void {
    this.#done = true;
    this.#connection.streams.delete(this.#id);
    abandoned.unregister(this);
  }
}
