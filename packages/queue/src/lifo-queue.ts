import { Queue, type QueueOptions } from './queue.js';
import { LifoStore, type Store } from './store.js';

/**
 * A {@link Queue} that gives out the most recently put item first (a stack), with the same API.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 * Like Python's `asyncio.LifoQueue`.
 */
export class LifoQueue<T> extends Queue<T> {
  protected override createStore(_options: QueueOptions | undefined): Store<T> {
    return new LifoStore<T>();
  }
}
