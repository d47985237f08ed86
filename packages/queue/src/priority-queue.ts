import { invalidArgType } from '@x/internal';
import { type Compare, PriorityStore } from './priority-store.js';
import { Queue, type QueueOptions } from './queue.js';
import type { Store } from './store.js';

export type { Compare } from './priority-store.js';

/** What a `PriorityQueue` accepts. */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /**
   * Orders items, smallest first: negative when `a` comes before `b`. Items that compare equal come out in
   * the order they were put.
   * @default numbers, strings or bigints by `<`, or `[priority, value]` tuples by their first element
   */
  compare?: Compare<T> | undefined;
}

/**
 * A {@link Queue} that gives out the smallest item first, by `options.compare`, or by default numbers and
 * strings, or `[priority, value]` tuples by priority; equal priorities keep their put order. Same API.
 *
 * @example
 * ```ts
 * const jobs = new PriorityQueue<[number, string]>();
 * await jobs.put([2, 'later']);
 * await jobs.put([1, 'first']);
 * await jobs.get(); // [1, 'first']
 * ```
 * Like Python's `asyncio.PriorityQueue` (which is not stable for equal priorities; this one is).
 */
export class PriorityQueue<T> extends Queue<T> {
  constructor(options?: PriorityQueueOptions<T>) {
    super(options);
  }

  protected override createStore(options: PriorityQueueOptions<T> | undefined): Store<T> {
    const compare = options?.compare;
    if (compare !== undefined && typeof compare !== 'function') {
      throw invalidArgType('options.compare', 'a function (a, b) => number', compare);
    }
    return new PriorityStore<T>(compare);
  }
}
