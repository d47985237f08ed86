/**
 * Where a queue keeps its items: the one thing `Queue`, `LifoQueue` and `PriorityQueue` do differently
 * (asyncio's `_init`/`_put`/`_get` hooks). Everything about waiting lives in `Queue`.
 */
export interface Store<T> {
  readonly size: number;
  /** Throws a `TypeError` naming `item` if this store cannot order it; called before any wait. */
  check(item: T): void;
  push(item: T): void;
  /** Removes and returns the next item; only called when `size > 0`. */
  take(): T;
}

/** First in, first out: a growable ring buffer, so `take()` is O(1) and holds no reference it gave out. */
export class FifoStore<T> implements Store<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  check(): void {}

  push(item: T): void {
    let items = this.#items;
    if (this.#size === items.length) items = this.#grow();
    items[(this.#head + this.#size) & (items.length - 1)] = item;
    this.#size++;
  }

  take(): T {
    const items = this.#items;
    const item = items[this.#head] as T;
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#size--;
    return item;
  }

  #grow(): (T | undefined)[] {
    const old = this.#items;
    const items: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#size; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#head = 0;
    this.#items = items;
    return items;
  }
}

/** Last in, first out: a stack. */
export class LifoStore<T> implements Store<T> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  check(): void {}

  push(item: T): void {
    this.#items.push(item);
  }

  take(): T {
    return this.#items.pop() as T;
  }
}
