/**
 * A FIFO of waiters that can leave at any time, shared by @x/locks and @x/queue. A waiter is removed from
 * the list, synchronously, the moment its signal aborts or its timeout passes, so whoever wakes waiters
 * (a release, a put) only ever hands a permit or an item to a waiter that is still waiting: nothing is
 * lost, nothing is given twice. Every abort listener and timer is removed when the waiter leaves, for any
 * reason.
 */

import { validateDuration, validateObject, validateSignal } from './index.js';
import { type AbortSubscription, onAbort } from './on-abort.js';

/** What every wait accepts. */
export interface WaitOptions {
  /** Aborting it removes the waiter at once and rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds to wait at most; then the waiter is removed and rejects with the list's timeout error. */
  timeout?: number | undefined;
}

/**
 * Throws a `TypeError`/`RangeError` naming the property unless `options` is undefined or an object whose
 * `signal` is an AbortSignal (or undefined) and whose `timeout` is a duration in ms (or undefined).
 *
 * @example
 * ```ts
 * validateWaitOptions(options, 'options');
 * ```
 */
export function validateWaitOptions(
  options: unknown,
  name: string,
): asserts options is WaitOptions | undefined {
  if (options === undefined) return;
  validateObject(options, name);
  const { signal, timeout } = options as WaitOptions;
  validateSignal(signal, `${name}.signal`);
  validateDuration(timeout, `${name}.timeout`);
}

/**
 * One waiter. `data` is what the waker needs (the item a `put` carries, the function a limiter starts).
 * Exposed so that wakers can read `data` before deciding; only {@link WaitList} links and unlinks nodes.
 */
export class WaitNode<T, D> {
  prev: WaitNode<T, D> | undefined = undefined;
  next: WaitNode<T, D> | undefined = undefined;
  /** Removes the abort subscription and the timer; undefined when there are none. */
  disarm: (() => void) | undefined = undefined;
  /** The waiter's `options.signal`, if any. */
  signal: AbortSignal | undefined = undefined;
  resolve!: (value: T | PromiseLike<T>) => void;
  reject!: (reason: unknown) => void;
  constructor(readonly data: D) {}
}

/**
 * A doubly linked FIFO of {@link WaitNode}s with O(1) removal from anywhere.
 *
 * @example
 * ```ts
 * const waiters = new WaitList<Permit, undefined>((ms) => new TimeoutError(ms));
 * const permit = await waiters.add(undefined, { signal, timeout: 1000 });
 * // elsewhere: waiters.shift()?.resolve(permit);
 * ```
 */
export class WaitList<T, D = undefined> {
  #head: WaitNode<T, D> | undefined = undefined;
  #tail: WaitNode<T, D> | undefined = undefined;
  #size = 0;
  readonly #timeoutError: (ms: number) => Error;

  /** @param timeoutError makes the error a timed-out waiter rejects with. */
  constructor(timeoutError: (ms: number) => Error) {
    this.#timeoutError = timeoutError;
  }

  /** Waiters still waiting. */
  get size(): number {
    return this.#size;
  }

  /** The longest-waiting node, left in place. */
  peek(): WaitNode<T, D> | undefined {
    return this.#head;
  }

  /**
   * Queues a waiter at the tail and returns its promise. A signal already aborted, or `timeout: 0`, rejects
   * at once without queueing. Options must have been validated by the caller.
   */
  add(data: D, options?: WaitOptions): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const timeout = options?.timeout;
    if (timeout !== undefined && timeout <= 0) return Promise.reject(this.#timeoutError(timeout));
    const node = new WaitNode<T, D>(data);
    const promise = new Promise<T>((resolve, reject) => {
      node.resolve = resolve;
      node.reject = reject;
    });
    node.signal = signal;
    this.#link(node);
    if (signal !== undefined || (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY)) {
      this.#arm(node, signal, timeout);
    }
    return promise;
  }

  /** Removes and returns the longest-waiting node, its listener and timer removed; the caller settles it. */
  shift(): WaitNode<T, D> | undefined {
    const node = this.#head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node` (no-op if it already left) and disarms it; the caller settles it. */
  remove(node: WaitNode<T, D>): void {
    if (node.prev === undefined && this.#head !== node) return;
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
    this.#size--;
    if (node.disarm !== undefined) {
      node.disarm();
      node.disarm = undefined;
    }
  }

  /** Removes every waiter and rejects each with `reason`, oldest first. */
  rejectAll(reason: unknown): void {
    for (let node = this.shift(); node !== undefined; node = this.shift()) node.reject(reason);
  }

  /** Removes every waiter and resolves each with `value`, oldest first. */
  resolveAll(value: T): void {
    for (let node = this.shift(); node !== undefined; node = this.shift()) node.resolve(value);
  }

  #link(node: WaitNode<T, D>): void {
    const tail = this.#tail;
    if (tail === undefined) this.#head = node;
    else {
      tail.next = node;
      node.prev = tail;
    }
    this.#tail = node;
    this.#size++;
  }

  #arm(node: WaitNode<T, D>, signal: AbortSignal | undefined, timeout: number | undefined): void {
    let subscription: AbortSubscription | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (signal !== undefined) {
      subscription = onAbort(signal, (reason) => {
        subscription = undefined; // an aborted signal's subscriptions are dropped by the dispatcher itself
        this.remove(node);
        node.reject(reason);
      });
    }
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      // Node fires a delay above 2^31-1 ms after 1 ms instead; ~24.8 days is as good as never here.
      timer = setTimeout(
        () => {
          timer = undefined;
          this.remove(node);
          node.reject(this.#timeoutError(timeout));
        },
        Math.min(timeout, 2_147_483_647),
      );
    }
    node.disarm = () => {
      subscription?.unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }
}
