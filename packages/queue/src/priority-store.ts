import { invalidArgType } from '@x/internal';
import type { Store } from './store.js';

/** Orders two items: negative when `a` comes first, positive when `b` does, 0 when equal. */
export type Compare<T> = (a: T, b: T) => number;

const keyOf = (item: unknown): unknown => (Array.isArray(item) ? item[0] : item);
const orderable = (key: unknown) =>
  typeof key === 'number' || typeof key === 'string' || typeof key === 'bigint';

/**
 * The default order: numbers, strings or bigints, or the first element of a `[priority, value]` tuple,
 * smallest first (Python orders tuples the same way).
 */
export const defaultCompare: Compare<unknown> = (a, b) => {
  const x = keyOf(a) as number;
  const y = keyOf(b) as number;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Smallest first by `compare`, a binary heap. Equal items come out in the order they were put (each carries
 * its insertion number), which a bare heap does not guarantee.
 */
export class PriorityStore<T> implements Store<T> {
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];
  #seq = 0;
  readonly #compare: Compare<T>;
  readonly #custom: boolean;

  constructor(compare: Compare<T> | undefined) {
    this.#compare = compare ?? (defaultCompare as Compare<T>);
    this.#custom = compare !== undefined;
  }

  get size(): number {
    return this.#items.length;
  }

  check(item: T): void {
    if (!this.#custom && !orderable(keyOf(item))) {
      throw invalidArgType(
        'item',
        'a number, string or bigint, or a [priority, value] tuple starting with one (or pass `options.compare`)',
        item,
      );
    }
  }

  push(item: T): void {
    const items = this.#items;
    const seqs = this.#seqs;
    let i = items.length;
    items.push(item);
    seqs.push(this.#seq++);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  take(): T {
    const items = this.#items;
    const seqs = this.#seqs;
    const top = items[0] as T;
    const lastItem = items.pop() as T;
    const lastSeq = seqs.pop() as number;
    const n = items.length;
    if (n > 0) {
      items[0] = lastItem;
      seqs[0] = lastSeq;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && this.#before(right, left) ? right : left;
        if (!this.#before(child, i)) break;
        this.#swap(i, child);
        i = child;
      }
    }
    return top;
  }

  #before(i: number, j: number): boolean {
    const c = this.#compare(this.#items[i] as T, this.#items[j] as T);
    return c < 0 || (c === 0 && (this.#seqs[i] as number) < (this.#seqs[j] as number));
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const seqs = this.#seqs;
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
    const seq = seqs[i] as number;
    seqs[i] = seqs[j] as number;
    seqs[j] = seq;
  }
}
