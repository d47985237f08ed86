import { limit, type Permit, Semaphore } from '@x/locks';
import { describe, expectTypeOf, it } from 'vitest';

describe('types', () => {
  it('limit and run keep the function result type, unwrapping promises', () => {
    const lim = limit(2);
    expectTypeOf(lim((signal) => Promise.resolve(signal.aborted))).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(lim(() => 42)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(new Semaphore().run(async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(lim.concurrency).toEqualTypeOf<number>();
  });

  it('acquire resolves to a disposable permit', () => {
    expectTypeOf(new Semaphore().acquire()).toEqualTypeOf<Promise<Permit>>();
    expectTypeOf<Permit>().toMatchTypeOf<Disposable>();
    expectTypeOf(new Semaphore().tryAcquire()).toEqualTypeOf<Permit | undefined>();
  });
});
