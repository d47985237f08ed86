import type { TransferListItem } from 'node:worker_threads';
import { describeReceived } from '@x/internal';
import { cloneError } from './clone.js';
import { DataCloneError } from './errors.js';
import type { TaskScope } from './task-signal.js';
import { isTransfer, transferablesOf } from './transfer.js';
import { MSG_YIELD, type WorkerMessage } from './transport.js';

// Bound at load: a task may replace these globals without breaking the loop.
const now = performance.now.bind(performance);
const immediate = setImmediate;

/** Longest a yielded value waits (ms) for others to share its message while the generator computes. */
const HOLD_MS = 1;
/** A step of a sync generator this quick (ms) is part of a burst: its value may wait for the next ones. */
const QUICK_MS = 0.02;
/** Most values in one MSG_YIELD message. */
const MAX_BATCH = 1024;

/** What a {@link StreamDriver} needs from the worker loop. */
export interface StreamHost {
  /** Posts a message (may throw, having sent nothing). */
  send(message: WorkerMessage, transfer?: readonly TransferListItem[]): void;
  /** Finds the running task across the generator's steps (see `taskSignal`). */
  readonly scope: TaskScope;
  /** Reads messages that arrived meanwhile, where that can be done synchronously (threads). */
  poll(): void;
  /** Waits briefly for a message without the event loop (threads, one task running); true if one came. */
  waitForMail(): boolean;
  /** Publishes the task running synchronously now (0: none), for the scheduler's stuck-task check. */
  running(id: number): void;
  /** The stream ended: `id` > 0 with the generator's return value, < 0 with the error that ended it. */
  settle(id: number, value: unknown): void;
  /** The stream was closed on request and its `finally` has run: answer the cancellation. */
  closed(id: number): void;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

/** One step of the generator, as part of task `id` (its synchronous part is what the watchdog sees). */
function step(driver: StreamDriver, iterator: AnyIterator): unknown {
  driver.host.running(driver.id);
  try {
    return iterator.next();
  } finally {
    driver.host.running(0);
  }
}

const close = (iterator: AnyIterator) => iterator.return?.();

/**
 * Worker side of a streaming task: pulls values from the iterable its function returned and sends them as
 * `MSG_YIELD` batches, never more than its credit ahead of the consumer (`highWaterMark`, refilled by
 * `MSG_PULL`), so a slow consumer pauses the generator. Values computed back to back share a message: the
 * first two values of a burst go at once, the next ones (each computed in under {@link QUICK_MS}) wait at most
 * {@link HOLD_MS} of further quick steps, and none waits while an async generator awaits.
 * `close()` (the task was cancelled) returns the iterator, so the generator's `finally` runs, then answers.
 */
export class StreamDriver {
  #credit: number;
  #batch: unknown[];
  #transfer: TransferListItem[] | undefined;
  #since = 0;
  #closing = false;
  #wake: (() => void) | undefined;
  #idleFlush = false;
  /** Quick steps in a row of a sync generator (see QUICK_MS). */
  #quick = 0;
  /** A send that failed outside the loop (see #flushWhenIdle), thrown by the loop. */
  #failed: unknown;
  /** A send failed: the values waiting are lost, the task fails with that error. */
  #sendFailed = false;

  constructor(
    readonly id: number,
    highWaterMark: number,
    readonly transferResult: boolean,
    readonly host: StreamHost,
  ) {
    this.#credit = highWaterMark;
    this.#batch = [MSG_YIELD, id];
  }

  /** The consumer took `n` values: `n` more may be produced. */
  pull(n: number): void {
    this.#credit += n;
    this.#wake?.();
  }

  /** The task was cancelled: stop producing, close the iterator, then `host.closed(id)`. */
  close(): void {
    this.#closing = true;
    this.#wake?.();
  }

  /** Drives the stream from what the task's function returned (or the promise of it). */
  async run(returned: unknown): Promise<void> {
    const { id, host } = this;
    let iterator: AnyIterator | undefined;
    try {
      const source = await returned;
      const isAsync = hasMethod(source, Symbol.asyncIterator);
      if (!isAsync && !hasMethod(source, Symbol.iterator)) {
        throw Object.assign(
          new TypeError(
            `The function of a stream must return an iterable or an async iterable (a generator function does).${describeReceived(source)}`,
          ),
          { code: 'ERR_INVALID_RETURN_VALUE' },
        );
      }
      iterator = host.scope.run(id, () =>
        isAsync
          ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
          : (source as Iterable<unknown>)[Symbol.iterator](),
      );
      for (;;) {
        if (this.#closing) break;
        if (this.#credit <= 0) {
          this.#flush();
          // A sync generator's credit usually comes back within microseconds: wait for it right here.
          if (!isAsync) while (this.#credit <= 0 && !this.#closing && host.waitForMail());
          if (this.#credit > 0 || this.#closing) continue;
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = undefined;
          continue;
        }
        // Before a step that may be long, the values waiting go: only a burst of quick steps holds them.
        if (this.#batch.length > 2 && (this.#quick < 2 || now() - this.#since >= HOLD_MS)) this.#flush();
        const t0 = now();
        let result = host.scope.run(id, step, this, iterator) as
          | IteratorResult<unknown>
          | Promise<IteratorResult<unknown>>;
        if (isAsync) {
          this.#flushWhenIdle();
          result = await result;
          if (this.#failed !== undefined) throw this.#failed;
        }
        const { done, value } = result as IteratorResult<unknown>;
        if (done) {
          iterator = undefined; // finished: nothing to close
          this.#flush();
          host.settle(id, value);
          return;
        }
        this.#add(value);
        this.#credit--;
        this.#quick = now() - t0 < QUICK_MS ? this.#quick + 1 : 0;
        if (this.#batch.length - 2 >= MAX_BATCH) this.#flush();
        if (!isAsync) host.poll();
      }
      // Closed on request: run the generator's `finally` before answering.
      this.#batch.length = 2;
      this.#transfer = undefined;
      const it = iterator;
      iterator = undefined;
      await host.scope.run(id, close, it);
      host.closed(id);
    } catch (error) {
      // The generator threw (it is closed already): the values it yielded before go first. Or a value could not
      // be sent: close the generator, so its `finally` runs, then fail the task with the send's error.
      if (!this.#sendFailed) {
        try {
          this.#flush();
        } catch (sendError) {
          host.settle(-id, sendError);
          return;
        }
      }
      const pending = iterator;
      iterator = undefined;
      if (pending !== undefined) {
        try {
          await host.scope.run(id, close, pending);
        } catch {
          // The send's error is the one to report.
        }
      }
      host.settle(-id, error);
    }
  }

  #add(value: unknown) {
    if (this.#batch.length === 2) this.#since = now();
    if (isTransfer(value)) {
      if (value.transferList.length > 0) (this.#transfer ??= []).push(...value.transferList);
      value = value.value;
    } else if (this.transferResult) {
      const buffers = transferablesOf(value);
      if (buffers !== undefined) (this.#transfer ??= []).push(...buffers);
    }
    this.#batch.push(value);
  }

  /** Sends the values waiting; throws a DataCloneError naming the value that cannot be sent. */
  #flush() {
    const batch = this.#batch;
    if (batch.length === 2) return;
    const transfer = this.#transfer;
    this.#batch = [MSG_YIELD, this.id];
    this.#transfer = undefined;
    try {
      this.host.send(batch, transfer);
    } catch (error) {
      this.#sendFailed = true;
      for (let i = 2; i < batch.length; i++) {
        const problem = cloneError(batch[i], 'a value the stream yielded');
        if (problem !== undefined) throw problem;
      }
      if (error instanceof DataCloneError) throw error;
      throw new DataCloneError(
        'a value the stream yielded',
        `The channel refused it: ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
  }

  /** While the generator awaits, the values it yielded before go out (once the microtasks have run). */
  #flushWhenIdle() {
    if (this.#idleFlush || this.#batch.length === 2) return;
    this.#idleFlush = true;
    immediate(() => {
      this.#idleFlush = false;
      try {
        this.#flush();
      } catch (error) {
        this.#failed = error; // the loop fails the task with it once the generator's step returns
      }
    });
  }
}

function hasMethod(value: unknown, key: symbol): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Record<symbol, unknown>)[key] === 'function'
  );
}
