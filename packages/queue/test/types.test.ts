import { PriorityQueue, Queue } from '@x/queue';
import { describe, expectTypeOf, it } from 'vitest';

describe('types', () => {
  it('items keep their type through put, get, getNowait and for await', async () => {
    const q = new Queue<{ id: number }>();
    expectTypeOf(q.get()).toEqualTypeOf<Promise<{ id: number }>>();
    expectTypeOf(q.getNowait).returns.toEqualTypeOf<{ id: number }>();
    expectTypeOf(q.put).parameter(0).toEqualTypeOf<{ id: number }>();
    expectTypeOf(q).toMatchTypeOf<AsyncIterable<{ id: number }>>();
  });

  it('PriorityQueue types its compare option by the item type', () => {
    const byPriority = new PriorityQueue<[number, string]>({ compare: (a, b) => a[0] - b[0] });
    expectTypeOf(byPriority.getNowait).returns.toEqualTypeOf<[number, string]>();
    // @ts-expect-error: compare must take the item type
    new PriorityQueue<number>({ compare: (a: string, b: string) => a.localeCompare(b) });
  });
});
