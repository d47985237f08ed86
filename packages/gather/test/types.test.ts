import { describe, expectTypeOf, it } from 'vitest';
import {
  any,
  asCompleted,
  type Fulfilled,
  gather,
  map,
  mapStream,
  type PendingOperation,
  race,
  type Settled,
  wait,
} from '../src/index.js';

interface User {
  id: number;
  name: string;
}
interface Order {
  id: number;
  amount: number;
}
declare const fetchUser: (id: number, init?: { signal?: AbortSignal }) => Promise<User>;
declare const fetchOrder: (id: number) => Promise<Order>;

describe('types', () => {
  it('gather keeps each position of a tuple, like Promise.all', () => {
    const run = () =>
      gather([
        fetchUser(1),
        () => fetchOrder(101),
        (signal) => fetchUser(2, { signal }),
        () => 42,
        Promise.resolve('s'),
      ]);
    expectTypeOf(run).returns.resolves.toEqualTypeOf<[User, Order, User, number, string]>();
  });

  it('gather types the signal parameter of function operations', () => {
    void (() =>
      gather([
        (signal) => {
          expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
          return 1;
        },
      ]));
  });

  it('gather with returnExceptions puts Error at every position', () => {
    const run = () => gather([fetchUser(1), () => fetchOrder(101)], { returnExceptions: true });
    expectTypeOf(run).returns.resolves.toEqualTypeOf<[User | Error, Order | Error]>();
    const maybe = (flag: boolean) => gather([fetchUser(1)], { returnExceptions: flag });
    expectTypeOf(maybe).returns.resolves.toEqualTypeOf<[User] | [User | Error]>();
  });

  it('gather over arrays and iterables gives arrays', () => {
    const ids = [1, 2, 3];
    const run = () => gather(ids.map((id) => () => fetchUser(id)));
    expectTypeOf(run).returns.resolves.toEqualTypeOf<User[]>();
    const fromSet = () => gather(new Set([fetchOrder(1)]));
    expectTypeOf(fromSet).returns.resolves.toEqualTypeOf<Order[]>();
  });

  it('gather refuses elements that are neither promises nor functions', () => {
    // @ts-expect-error a number is not an operation
    void (() => gather([fetchUser(1), 42]));
  });

  it('asCompleted narrows value by index for tuples', () => {
    void (async () => {
      for await (const record of asCompleted([fetchUser(1), () => fetchOrder(101)])) {
        expectTypeOf(record).toEqualTypeOf<Fulfilled<User, 0> | Fulfilled<Order, 1>>();
        if (record.index === 0) expectTypeOf(record.value).toEqualTypeOf<User>();
        else expectTypeOf(record.value).toEqualTypeOf<Order>();
      }
      for await (const record of asCompleted([fetchUser(1)], { returnExceptions: true })) {
        expectTypeOf(record).toEqualTypeOf<Settled<User, 0>>();
        if (record.status === 'rejected') expectTypeOf(record.reason).toEqualTypeOf<Error>();
      }
    });
  });

  it('wait types done and pending by position', () => {
    void (async () => {
      const { done, pending } = await wait([fetchUser(1), () => fetchOrder(2)], {
        returnWhen: 'FIRST_COMPLETED',
      });
      expectTypeOf(done).toEqualTypeOf<Array<Settled<User, 0> | Settled<Order, 1>>>();
      expectTypeOf(pending).toEqualTypeOf<Array<PendingOperation<User, 0> | PendingOperation<Order, 1>>>();
    });
  });

  it('map and mapStream infer the item and result types', () => {
    const run = () =>
      map([1, 2], (id, { index, signal }) => (index > 0 ? fetchUser(id, { signal }) : fetchUser(id)));
    expectTypeOf(run).returns.resolves.toEqualTypeOf<User[]>();
    const settled = () => map(['a'], (s) => s.length, { returnExceptions: true });
    expectTypeOf(settled).returns.resolves.toEqualTypeOf<(number | Error)[]>();
    expectTypeOf(mapStream([1], (n) => fetchOrder(n))).toEqualTypeOf<AsyncIterableIterator<Order>>();
  });
  it('map and mapStream hand fn the awaited item type of promise items', () => {
    const run = () => map([fetchUser(1), Promise.resolve(2)], (item) => item);
    expectTypeOf(run).returns.toEqualTypeOf<Promise<(User | number)[]>>();
    const stream = () => mapStream([fetchUser(1)], (user) => user.name);
    expectTypeOf(stream).returns.toEqualTypeOf<AsyncIterableIterator<string>>();
  });

  it('keyed gather types each key, with Error under returnExceptions', () => {
    const run = () =>
      gather({ user: (signal) => fetchUser(1, { signal }), order: fetchOrder(101), n: () => 42 });
    expectTypeOf(run).returns.resolves.toEqualTypeOf<{ user: User; order: Order; n: number }>();
    const settled = () => gather({ user: () => fetchUser(1) }, { returnExceptions: true, timeout: 10 });
    expectTypeOf(settled).returns.resolves.toEqualTypeOf<{ user: User | Error }>();
    const fromMap = () => gather(new Map([['u', () => fetchUser(1)]]));
    expectTypeOf(fromMap).returns.resolves.toEqualTypeOf<Map<string, User>>();
    // @ts-expect-error a number is not an operation
    void (() => gather({ user: () => fetchUser(1), bad: 42 }));
  });

  it('race and any resolve to the union of the operations’ results', () => {
    const run = () => race([() => fetchUser(1), fetchOrder(2)]);
    expectTypeOf(run).returns.resolves.toEqualTypeOf<User | Order>();
    const first = () => any([1, 2].map((id) => (signal: AbortSignal) => fetchUser(id, { signal })));
    expectTypeOf(first).returns.resolves.toEqualTypeOf<User>();
  });
});
