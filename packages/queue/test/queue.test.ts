import { LifoQueue, PriorityQueue, Queue, QueueShutDownError, TimeoutError } from '@x/queue';
import { describe, expect, it } from 'vitest';
import {
  abortListenerCount,
  delay,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Queue', () => {
  it('put waits while full (backpressure) and resumes in order as gets make room', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const put: number[] = [];
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await q.put(i);
        put.push(i);
      }
    })();
    await flush();
    expect(put).toEqual([0, 1]);
    expect(q.full).toBe(true);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await q.get());
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('a get cancelled by its signal or timeout takes no item; the item goes to the next getter', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const cancelled = track(q.get({ signal: controller.signal }));
    const timedOut = q.get({ timeout: 5 }).catch((e) => e);
    const served = q.get();
    controller.abort();
    expect(await timedOut).toBeInstanceOf(TimeoutError);
    expect(abortListenerCount(controller.signal)).toBe(0);
    q.putNowait('item');
    expect(await served).toBe('item');
    expect(cancelled.status).toBe('rejected');
    expect(q.size).toBe(0);
  });

  it('a put cancelled while waiting never inserts its item', async () => {
    const q = new Queue<string>({ maxsize: 1 });
    q.putNowait('a');
    const controller = new AbortController();
    const cancelled = q.put('never', { signal: controller.signal });
    const timedOut = q.put('never either', { timeout: 5 });
    controller.abort(new Error('stop'));
    await expect(cancelled).rejects.toThrow('stop');
    await expect(timedOut).rejects.toMatchObject({ code: 'ERR_X_TIMEOUT' });
    expect(q.getNowait()).toBe('a');
    expect(q.size).toBe(0);
  });

  it('taskDone() throws when called more times than items were taken (not just put)', () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.getNowait();
    q.taskDone();
    expect(thrown(() => q.taskDone())).toMatchObject({
      name: 'InvalidStateError',
      code: 'ERR_X_INVALID_STATE',
    });
  });

  it('join() resolves when every item put is done, and takes a signal and a timeout', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    await expect(q.join({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    const joined = track(q.join());
    await q.get();
    await flush();
    expect(joined.status).toBe('pending');
    q.taskDone();
    await flush();
    expect(joined.status).toBe('fulfilled');
  });

  it('for await consumes until shutdown and drain', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of q) {
        seen.push(item);
        q.taskDone();
      }
      return 'ended';
    })();
    for (let i = 0; i < 5; i++) await q.put(i);
    await q.join();
    q.putNowait(5);
    q.shutdown(); // the consumer still drains 5, then the loop ends
    expect(await consumer).toBe('ended');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('values({ signal }) ends the loop with the reason, the pending get taking no item', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of q.values({ signal: controller.signal })) {
        // nothing arrives
      }
    })();
    await flush();
    controller.abort(new Error('stop'));
    await expect(loop).rejects.toThrow('stop');
    q.putNowait(1);
    expect(q.size).toBe(1);
  });

  it('shutdown() rejects waiting puts; shutdown({ immediate }) drops the rest and releases join()', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    const waitingPut = q.put(2);
    const joined = q.join();
    q.shutdown({ immediate: true });
    await expect(waitingPut).rejects.toBeInstanceOf(QueueShutDownError);
    await joined;
    expect(q.isShutDown).toBe(true);
    expect(q.size).toBe(0);
    expect(thrown(() => q.shutdown({ immediate: 'yes' as never }))).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });

  it('is disposable: leaving a `using` block shuts it down and lets consumers drain', async () => {
    const seen: number[] = [];
    let consumer: Promise<void> | undefined;
    {
      using q = new Queue<number>();
      consumer = (async () => {
        for await (const item of q) seen.push(item);
      })();
      q.putNowait(1);
      q.putNowait(2);
    }
    await consumer;
    expect(seen).toEqual([1, 2]);
  });

  it('rejects bad maxsize and options at once, naming them', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(thrown(() => new Queue({ maxsize: bad }))).toMatchObject({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    expect(thrown(() => new Queue({ maxsize: '3' as never })).message).toContain('"options.maxsize"');
    expect(thrown(() => new Queue(5 as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    const q = new Queue();
    expect(thrown(() => q.get({ signal: {} as never })).message).toContain('"options.signal"');
    expect(thrown(() => q.put(1, { timeout: -1 })).message).toContain('"options.timeout"');
    expect(new Queue().maxsize).toBe(Number.POSITIVE_INFINITY);
  });

  it('an already-aborted signal rejects put and get at once, changing nothing', async () => {
    const q = new Queue<number>();
    const signal = AbortSignal.abort(new Error('pre'));
    await expect(q.put(1, { signal })).rejects.toThrow('pre');
    expect(q.size).toBe(0);
    q.putNowait(2);
    await expect(q.get({ signal })).rejects.toThrow('pre');
    expect(q.size).toBe(1);
  });

  it('holds many items through its ring buffer in order (growth and wrap-around)', async () => {
    const q = new Queue<number>();
    const out: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) q.putNowait(round * 100 + i);
      for (let i = 0; i < 30; i++) out.push(q.getNowait());
    }
    while (!q.empty) out.push(q.getNowait());
    const expected = [0, 1, 2].flatMap((r) => Array.from({ length: 50 }, (_, i) => r * 100 + i));
    expect(out).toEqual(expected);
    await delay(0);
  });
});

describe('PriorityQueue', () => {
  it('gives the smallest first and keeps put order for equal priorities (stable)', () => {
    const q = new PriorityQueue<[number, string]>();
    const items: Array<[number, string]> = [
      [2, 'b1'],
      [1, 'a1'],
      [2, 'b2'],
      [0, 'z'],
      [1, 'a2'],
      [2, 'b3'],
      [1, 'a3'],
    ];
    for (const item of items) q.putNowait(item);
    const out = Array.from({ length: items.length }, () => q.getNowait()[1]);
    expect(out).toEqual(['z', 'a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
  });

  it('stays stable over many equal priorities (heap order is not insertion order by itself)', () => {
    const q = new PriorityQueue<[number, number]>();
    for (let i = 0; i < 1000; i++) q.putNowait([i % 3, i]);
    const out = Array.from({ length: 1000 }, () => q.getNowait());
    for (let i = 1; i < out.length; i++) {
      const [p0, s0] = out[i - 1]!;
      const [p1, s1] = out[i]!;
      expect(p0 < p1 || (p0 === p1 && s0 < s1)).toBe(true);
    }
  });

  it('orders numbers and strings by default and anything with options.compare', () => {
    const strings = new PriorityQueue<string>();
    for (const s of ['pear', 'apple', 'fig']) strings.putNowait(s);
    expect([strings.getNowait(), strings.getNowait(), strings.getNowait()]).toEqual(['apple', 'fig', 'pear']);
    const byDeadline = new PriorityQueue<{ due: number }>({ compare: (a, b) => a.due - b.due });
    byDeadline.putNowait({ due: 30 });
    byDeadline.putNowait({ due: 10 });
    expect(byDeadline.getNowait()).toEqual({ due: 10 });
  });

  it('refuses an item the default order cannot compare, naming it, before inserting or waiting', async () => {
    const q = new PriorityQueue<unknown>({ maxsize: 1 });
    expect(thrown(() => q.putNowait({ a: 1 }))).toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(thrown(() => q.put([{}, 'x']))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(q.size).toBe(0);
    expect(thrown(() => new PriorityQueue({ compare: 1 as never })).message).toContain('"options.compare"');
  });
});

describe('LifoQueue', () => {
  it('gives the last item put first, with the same waiting API', async () => {
    const q = new LifoQueue<number>({ maxsize: 2 });
    q.putNowait(1);
    q.putNowait(2);
    const waiting = q.put(3);
    expect(await q.get()).toBe(2);
    await waiting;
    expect([q.getNowait(), q.getNowait()]).toEqual([3, 1]);
  });
});
