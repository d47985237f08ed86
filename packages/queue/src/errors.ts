import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/queue. `putNowait` on a full queue throws {@link QueueFullError}, `getNowait` on an
 * empty one {@link QueueEmptyError}; after `shutdown()` puts (and gets of an empty queue) reject with
 * {@link QueueShutDownError}; a wait that outlives its `timeout` rejects with {@link TimeoutError}; a caller's
 * own `signal.reason` is passed through unchanged; `taskDone()` called too often throws
 * {@link InvalidStateError}.
 */

/** Options accepted by every error class here. */
export interface XErrorOptions {
  cause?: unknown;
}

/**
 * `putNowait()` found the queue full (`size === maxsize`). Use `await put()` to wait for room.
 *
 * @example
 * ```ts
 * const queue = new Queue<number>({ maxsize: 1 });
 * queue.putNowait(1);
 * queue.putNowait(2); // throws QueueFullError
 * ```
 * Like Python's `asyncio.QueueFull`.
 */
export class QueueFullError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_QUEUE_FULL');
  }

  override name = 'QueueFullError' as const;
  readonly code = 'ERR_X_QUEUE_FULL' as const;
  constructor(
    message = 'The queue is full: use `await queue.put(item)` to wait for room.',
    options?: XErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * `getNowait()` found the queue empty. Use `await get()` to wait for an item.
 *
 * @example
 * ```ts
 * new Queue().getNowait(); // throws QueueEmptyError
 * ```
 * Like Python's `asyncio.QueueEmpty`.
 */
export class QueueEmptyError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_QUEUE_EMPTY');
  }

  override name = 'QueueEmptyError' as const;
  readonly code = 'ERR_X_QUEUE_EMPTY' as const;
  constructor(
    message = 'The queue is empty: use `await queue.get()` to wait for an item.',
    options?: XErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The queue was shut down: no more puts, and no more gets once it is empty (or at once after
 * `shutdown({ immediate: true })`). `for await` over the queue ends quietly instead.
 *
 * @example
 * ```ts
 * queue.shutdown();
 * await queue.put(1); // rejects with QueueShutDownError
 * ```
 * Like Python 3.13's `asyncio.QueueShutDown`.
 */
export class QueueShutDownError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_QUEUE_SHUT_DOWN');
  }

  override name = 'QueueShutDownError' as const;
  readonly code = 'ERR_X_QUEUE_SHUT_DOWN' as const;
  constructor(
    message = 'The queue was shut down: it takes no more items and has none left to give.',
    options?: XErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A `put`, `get` or `join` did not complete within its `timeout`. The waiter has left: a put did not insert
 * its item, a get took none.
 *
 * @example
 * ```ts
 * await queue.get({ timeout: 100 }).catch((error) => error.code === 'ERR_X_TIMEOUT');
 * ```
 * Like the `TimeoutError` of `asyncio.wait_for(queue.get(), 0.1)`.
 */
export class TimeoutError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TIMEOUT');
  }

  override name = 'TimeoutError' as const;
  readonly code = 'ERR_X_TIMEOUT' as const;
  /** The time limit that passed, in milliseconds. */
  readonly ms: number;
  constructor(ms: number, message?: string, options?: XErrorOptions) {
    super(
      message ??
        `Waited ${ms} ms on the queue without completing; the waiter left. Give it a longer \`timeout\`.`,
      options,
    );
    this.ms = ms;
  }
}

/**
 * `taskDone()` was called more times than items were taken with `get`.
 *
 * @example
 * ```ts
 * new Queue().taskDone(); // throws InvalidStateError
 * ```
 * Like the `ValueError` of Python's `Queue.task_done()`.
 */
export class InvalidStateError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_INVALID_STATE');
  }

  override name = 'InvalidStateError' as const;
  readonly code = 'ERR_X_INVALID_STATE' as const;
  constructor(message: string, options?: XErrorOptions) {
    super(message, options);
  }
}

/** Makes the error a timed-out waiter rejects with. */
export const timeoutError = (ms: number): TimeoutError => new TimeoutError(ms);
