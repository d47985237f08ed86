import { AbortError } from './errors.js';
import type { SubmitOptions } from './executor.js';
import { DONE, SENT, type Task } from './pool-task.js';
import { MSG_PULL, TASK_STREAM, TASK_TRANSFER_RESULT } from './transport.js';

/** What `Pool.stream` runs: a generator function (sync or async), or a function returning an iterable. */
export type StreamFunction = (
  ...args: any[]
) => Iterable<unknown> | AsyncIterable<unknown> | PromiseLike<Iterable<unknown> | AsyncIterable<unknown>>;

/** The values a stream of `R` (what its function returns) yields. */
export type StreamItem<R> =
  Awaited<R> extends AsyncIterable<infer T> ? T : Awaited<R> extends Iterable<infer T> ? T : never;

/** The generator's return value, the `value` of the stream's last (`done: true`) result. */
export type StreamReturn<R> =
  Awaited<R> extends AsyncGenerator<unknown, infer T, any>
    ? T
    : Awaited<R> extends Generator<unknown, infer T, any>
      ? T
      : undefined;

/** Options of `Pool.stream`. */
export interface StreamOptions extends Omit<SubmitOptions, 'transferResult'> {
  /**
   * Most values produced ahead of the consumer: the generator in the worker pauses once this many values it
   * yielded have not been taken by the loop yet. Default: 16.
   */
  highWaterMark?: number;
  /** Move the `ArrayBuffer`s of each yielded value (and of the return value) instead of copying them. Default: false. */
  transferResult?: boolean;
}

/** @internal How a {@link TaskStream} reaches its task in the pool. */
export interface StreamLink {
  /** The consumer took `n` values: let the worker produce `n` more (`MSG_PULL`). */
  pull(n: number): void;
  /** Abandons the task; resolves once its worker has closed the generator (its `finally` ran) or is gone. */
  cancel(reason: unknown): Promise<void>;
  /**
   * Whether the stream needs its worker to keep the process alive: not while the generator waits for credit
   * and nobody waits for a value (only the consumer's own code could resume it, and nothing else is left to run).
   */
  hold(needed: boolean): void;
}

type Waiter = { resolve: (result: IteratorResult<unknown>) => void; reject: (reason: unknown) => void };

const closedByConsumer = () =>
  new AbortError('The stream was closed by its consumer (break, return() or throw()) before it ended.');

/**
 * The consumer's end of a streaming task (`pool.stream`): an async iterator of the values the task's generator
 * yields, in order, buffered up to `highWaterMark`. Each value taken is acknowledged to the worker (in
 * batches of half the high-water mark), so the generator runs at most
 * `highWaterMark` values ahead. The generator's error (or the worker's crash) is thrown after the values
 * yielded before it; an aborted `signal` is thrown at once. Leaving early (`break`, `return()`) cancels the
 * task and resolves once the worker has run the generator's `finally`.
 */
export class TaskStream<T, R = unknown> implements AsyncIterableIterator<T> {
  #buffer: unknown[] = [];
  #head = 0;
  #waiters: Waiter[] = [];
  /** The task settled: `#ok` with the generator's return value, or failed with `#outcome`. */
  #settled = false;
  #ok = false;
  #outcome: unknown;
  /** The consumer saw the end (or left): every later `next()` is done. */
  #finished = false;
  #closing: Promise<void> | undefined;
  #unacked = 0;
  /** Values the worker may have produced so far (highWaterMark plus the credits sent back), and those received. */
  #granted: number;
  #received = 0;
  /** Whether the worker is held (referenced) for this stream; see StreamLink.hold. */
  #held = true;
  readonly #threshold: number;
  readonly #signal: AbortSignal | undefined;
  #link: StreamLink | undefined;
  /** @internal */
  readonly highWaterMark: number;

  /** @internal */
  constructor(highWaterMark: number, signal: AbortSignal | undefined) {
    this.highWaterMark = highWaterMark;
    this.#granted = highWaterMark;
    this.#threshold = Math.max(1, Math.ceil(highWaterMark / 2));
    this.#signal = signal;
  }

  /** @internal Connects the stream to its task. */
  attach(link: StreamLink): void {
    this.#link = link;
  }

  /** @internal Values from a `MSG_YIELD` message, from index `from` on. */
  push(values: readonly unknown[], from: number): void {
    if (this.#finished) return;
    this.#received += values.length - from;
    let i = from;
    while (i < values.length && this.#waiters.length > 0) this.#deliver(this.#waiters.shift()!, values[i++]);
    for (; i < values.length; i++) this.#buffer.push(values[i]);
    this.#hold();
  }

  /** @internal The task settled: fulfilled with the generator's return value, or failed. */
  end(ok: boolean, outcome: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ok = ok;
    this.#outcome = outcome;
    if (this.#head === this.#buffer.length) {
      for (const waiter of this.#waiters.splice(0)) this.#finish(waiter);
    }
  }

  /**
   * The next value the generator yielded, waiting for it if none is buffered; `{ done: true, value }` with the
   * generator's return value at the end. Rejects with the error that ended the stream (after the values before
   * it), or at once with the reason of an aborted `signal`.
   */
  next(): Promise<IteratorResult<T, R>> {
    return new Promise<IteratorResult<unknown>>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#finished) resolve({ done: true, value: undefined });
      else if (this.#signal?.aborted) {
        this.#drop();
        reject(this.#signal.reason);
      } else if (this.#head < this.#buffer.length) {
        const value = this.#buffer[this.#head];
        this.#buffer[this.#head++] = undefined;
        if (this.#head === this.#buffer.length) {
          this.#buffer.length = 0;
          this.#head = 0;
        }
        this.#deliver(waiter, value);
      } else if (this.#settled) this.#finish(waiter);
      else {
        this.#waiters.push(waiter);
        this.#hold();
      }
    }) as Promise<IteratorResult<T, R>>;
  }

  /** Leaves early: cancels the task and resolves once the worker ran the generator's `finally`. */
  async return(value?: R): Promise<IteratorResult<T, R>> {
    if (!this.#finished) {
      this.#drop();
      for (const waiter of this.#waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
      if (!this.#settled) {
        // `return()` waits for the worker's answer: the worker must keep the process alive until it comes.
        if (!this.#held) {
          this.#held = true;
          this.#link?.hold(true);
        }
        this.#closing ??= this.#link?.cancel(closedByConsumer()) ?? Promise.resolve();
      }
    }
    await this.#closing;
    return { done: true, value: value as R };
  }

  /** Leaves early like {@link return}, then throws `error`. */
  async throw(error?: unknown): Promise<IteratorResult<T, R>> {
    await this.return();
    throw error;
  }

  /** The stream itself: it is its own iterator, so it can be iterated once (`for await`). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  #deliver(waiter: Waiter, value: unknown) {
    waiter.resolve({ done: false, value });
    if (this.#settled) return;
    // Half the high-water mark taken: more credit. Never a deadlock: a generator out of credit has
    // highWaterMark values unacknowledged, so once they are all taken at least one batch has been acknowledged.
    if (++this.#unacked >= this.#threshold) {
      const n = this.#unacked;
      this.#unacked = 0;
      this.#granted += n;
      this.#link?.pull(n);
    }
    this.#hold();
  }

  /** Holds the worker while someone waits for a value or the generator may run; lets it go otherwise. */
  #hold() {
    if (this.#settled) return;
    const needed = this.#waiters.length > 0 || this.#received < this.#granted;
    if (needed === this.#held) return;
    this.#held = needed;
    this.#link?.hold(needed);
  }

  #finish(waiter: Waiter) {
    this.#finished = true;
    if (this.#ok) waiter.resolve({ done: true, value: this.#outcome });
    else waiter.reject(this.#outcome);
  }

  #drop() {
    this.#finished = true;
    this.#buffer = [];
    this.#head = 0;
  }
}

/**
 * @internal Gives `task` its options for the worker (`TASK_*` flags, see `MSG_RUN`) and, for a stream, connects
 * the consumer's end to it: credits go to the task's worker, and leaving early abandons the task (`abandon`)
 * and waits for its worker to answer (`Task.release`).
 */
export function prepareTask(
  task: Task,
  transferResult: boolean,
  stream: TaskStream<unknown> | undefined,
  abandon: (task: Task, reason: unknown) => void,
): void {
  if (!transferResult && stream === undefined) return;
  const flags = (stream === undefined ? 0 : TASK_STREAM) | (transferResult ? TASK_TRANSFER_RESULT : 0);
  task.options = [task.fid, flags, stream?.highWaterMark ?? 0];
  if (stream === undefined) return;
  task.stream = stream;
  stream.attach({
    pull: (n) => {
      const slot = task.worker;
      if (task.state !== SENT || slot === undefined || slot.exited) return;
      try {
        slot.transport.send([MSG_PULL, task.id, n]);
      } catch {
        // The worker is gone; its exit settles the task.
      }
    },
    hold: (needed) => {
      const slot = task.worker;
      if (task.state === DONE || slot === undefined || slot.exited || slot.stopping) return;
      if (needed) slot.ref();
      else if (slot.inflight.size === 1) slot.unref(); // other tasks on this worker still need it
    },
    cancel: (reason) =>
      new Promise<void>((resolve) => {
        task.release = resolve;
        abandon(task, reason);
        // Not on a worker yet (queued, not sent), or settled meanwhile: nothing runs its generator.
        if (!task.abandoned) resolve();
      }),
  });
}
