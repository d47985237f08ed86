/**
 * Ported from CPython, `Lib/test/test_asyncio/test_queues.py` (3.13), Python Software Foundation License
 * Version 2, Copyright (c) 2001 Python Software Foundation. https://github.com/python/cpython
 * Test names are CPython's; bodies use our API (`putNowait`, `getNowait`, `size`, `taskDone`; task
 * cancellation is an AbortSignal per call; `asyncio.sleep(0)` is a macrotask turn). Tests of private
 * attributes (`_getters`, `_putters`) check our public `size`/counters instead. Where asyncio cancels a
 * getter that was already handed an item, the getter here keeps the item (its promise was already
 * resolved): either way no item is lost, which is what those tests guard.
 */
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TimeoutError,
} from '@x/queue';
import { describe, expect, it } from 'vitest';
import {
  delay,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

const sleep0 = flush;

describe('QueueBasicTests', () => {
  it('test_empty', async () => {
    const q = new Queue<number>();
    expect(q.empty).toBe(true);
    await q.put(1);
    expect(q.empty).toBe(false);
    expect(await q.get()).toBe(1);
    expect(q.empty).toBe(true);
  });

  it('test_full', async () => {
    expect(new Queue().full).toBe(false);
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1);
    expect(q.full).toBe(true);
  });

  it('test_order', async () => {
    const q = new Queue<number>();
    for (const i of [1, 3, 2]) await q.put(i);
    expect([await q.get(), await q.get(), await q.get()]).toEqual([1, 3, 2]);
  });

  it('test_maxsize', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    expect(q.maxsize).toBe(2);
    const haveBeenPut: number[] = [];
    const t = (async () => {
      for (let i = 0; i < 3; i++) {
        await q.put(i);
        haveBeenPut.push(i);
      }
      return true;
    })();
    await sleep0();
    await sleep0();
    expect(haveBeenPut).toEqual([0, 1]);
    expect(await q.get()).toBe(0);
    await sleep0();
    expect(haveBeenPut).toEqual([0, 1, 2]);
    expect(await q.get()).toBe(1);
    expect(await q.get()).toBe(2);
    expect(await t).toBe(true);
  });
});

describe('QueueGetTests', () => {
  it('test_blocking_get', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(await q.get()).toBe(1);
  });

  it('test_get_with_putters', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1);
    const waiter = track(q.put(2));
    expect(await q.get()).toBe(1);
    await sleep0();
    expect(waiter.status).toBe('fulfilled');
    expect(q.getNowait()).toBe(2);
  });

  it('test_blocking_get_wait', async () => {
    const q = new Queue<number>();
    let finished = false;
    const task = q.get().then((value) => {
      finished = true;
      return value;
    });
    await sleep0();
    expect(finished).toBe(false);
    setTimeout(() => q.putNowait(1), 10);
    expect(await task).toBe(1);
    expect(finished).toBe(true);
  });

  it('test_nonblocking_get', () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(q.getNowait()).toBe(1);
  });

  it('test_nonblocking_get_exception', () => {
    expect(thrown(() => new Queue().getNowait())).toBeInstanceOf(QueueEmptyError);
  });

  it('test_get_cancelled_race', async () => {
    const q = new Queue<string>();
    const c1 = new AbortController();
    const t1 = track(q.get({ signal: c1.signal }));
    const t2 = q.get();
    await sleep0();
    c1.abort();
    await sleep0();
    expect(t1.status).toBe('rejected');
    await q.put('a');
    expect(await t2).toBe('a');
  });

  it('test_get_with_waiting_putters', async () => {
    const q = new Queue<string>({ maxsize: 1 });
    void q.put('a');
    void q.put('b');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('test_why_are_getters_waiting', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    const producer = async () => {
      for (let i = 0; i < 5; i++) await q.put(i);
    };
    const got: number[] = [];
    const consumer = async () => {
      for (let i = 0; i < 5; i++) got.push(await q.get());
    };
    await Promise.all([producer(), consumer()]);
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('test_cancelled_getters_not_being_held_in_self_getters', async () => {
    const q = new Queue<number>({ maxsize: 5 });
    await expect(q.get({ timeout: 100 })).rejects.toBeInstanceOf(TimeoutError);
    q.putNowait(1); // would be handed to a stale getter if one were held
    expect(q.size).toBe(1);
  });
});

describe('QueuePutTests', () => {
  it('test_blocking_put', async () => {
    const q = new Queue<number>();
    await q.put(1);
    expect(await q.get()).toBe(1);
  });

  it('test_blocking_put_wait', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    let finished = false;
    setTimeout(() => q.getNowait(), 10);
    await q.put(1);
    await q.put(2);
    finished = true;
    expect(finished).toBe(true);
  });

  it('test_nonblocking_put', () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(q.getNowait()).toBe(1);
  });

  it('test_get_cancel_drop_one_pending_reader', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    let reader = q.get({ signal: controller.signal });
    await sleep0();
    q.putNowait(1);
    q.putNowait(2);
    controller.abort();
    const result = await reader.catch(() => (reader = q.get()));
    // if we get 2, it means 1 got dropped!
    expect(result).toBe(1);
  });

  it('test_get_cancel_drop_many_pending_readers', async () => {
    const q = new Queue<number>();
    const c1 = new AbortController();
    const reader1 = q.get({ signal: c1.signal });
    const reader2 = q.get();
    const reader3 = track(q.get());
    await sleep0();
    q.putNowait(1);
    q.putNowait(2);
    c1.abort();
    // reader1 had already been handed 1, so it keeps it; nothing is lost, nothing given twice.
    const received = [await reader1, await reader2];
    expect(new Set(received)).toEqual(new Set([1, 2]));
    await sleep0();
    expect(reader3.status).toBe('pending');
    q.putNowait(3);
    await sleep0();
    expect(reader3.value).toBe(3);
  });

  it('test_put_cancel_drop', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    const controller = new AbortController();
    let writer = q.put(2, { signal: controller.signal });
    await sleep0();
    expect(q.getNowait()).toBe(1);
    controller.abort();
    await writer.catch(() => (writer = q.put(2)));
    expect(q.getNowait()).toBe(2);
    expect(q.size).toBe(0);
  });

  it('test_nonblocking_put_exception', () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    expect(thrown(() => q.putNowait(2))).toBeInstanceOf(QueueFullError);
  });

  it('test_float_maxsize (differs: a non-integer maxsize is refused)', () => {
    expect(thrown(() => new Queue({ maxsize: 1.3 }))).toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
  });

  it('test_put_cancelled', async () => {
    const q = new Queue<number>();
    const t = q.put(1).then(() => true);
    expect(await q.get()).toBe(1);
    expect(await t).toBe(true);
  });

  it('test_put_cancelled_race', async () => {
    const q = new Queue<string>({ maxsize: 1 });
    const controller = new AbortController();
    const putA = track(q.put('a'));
    const putB = q.put('b');
    const putC = track(q.put('X', { signal: controller.signal }));
    await sleep0();
    expect(putA.status).toBe('fulfilled');
    controller.abort();
    await sleep0();
    expect(putC.status).toBe('rejected');
    expect(q.getNowait()).toBe('a');
    await sleep0();
    expect(q.getNowait()).toBe('b');
    await putB;
  });

  it('test_put_with_waiting_getters', async () => {
    const q = new Queue<string>();
    const t = q.get();
    await sleep0();
    await q.put('a');
    expect(await t).toBe('a');
  });

  it('test_why_are_putters_waiting', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const getter = async () => {
      await sleep0();
      const n = q.size;
      for (let i = 0; i < n; i++) q.getNowait();
    };
    await Promise.all([getter(), q.put(0), q.put(1), q.put(2), q.put(3)]);
    expect(q.size).toBe(2);
  });

  it('test_cancelled_puts_not_being_held_in_self_putters', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    const controller = new AbortController();
    const putTask = q.put(1, { signal: controller.signal });
    await sleep0();
    controller.abort(new Error('cancelled'));
    await expect(putTask).rejects.toThrow('cancelled');
    q.getNowait();
    expect(q.size).toBe(0); // the cancelled put did not slip in
  });

  it('test_cancelled_put_silence_value_error_exception', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    const controller = new AbortController();
    const putTask = q.put(1, { signal: controller.signal });
    await sleep0();
    q.getNowait(); // admits the waiting put
    controller.abort(); // too late: it was already admitted
    await expect(putTask).resolves.toBeUndefined();
    expect(q.size).toBe(1);
  });
});

describe('LifoQueueTests / PriorityQueueTests', () => {
  it('test_order (LifoQueue)', async () => {
    const q = new LifoQueue<number>();
    for (const i of [1, 3, 2]) await q.put(i);
    expect([await q.get(), await q.get(), await q.get()]).toEqual([2, 3, 1]);
  });

  it('test_order (PriorityQueue)', async () => {
    const q = new PriorityQueue<number>();
    for (const i of [1, 3, 2]) await q.put(i);
    expect([await q.get(), await q.get(), await q.get()]).toEqual([1, 2, 3]);
  });
});

for (const [label, make] of [
  ['Queue', <T>(maxsize?: number) => new Queue<T>({ maxsize })],
  ['LifoQueue', <T>(maxsize?: number) => new LifoQueue<T>({ maxsize })],
  ['PriorityQueue', <T>(maxsize?: number) => new PriorityQueue<T>({ maxsize })],
] as const) {
  describe(`${label}JoinTests`, () => {
    it('test_task_done_underflow', () => {
      expect(thrown(() => make().taskDone())).toMatchObject({ code: 'ERR_X_INVALID_STATE' });
    });

    it('test_task_done', async () => {
      const q = make<number>();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let accumulator = 0;
      let running = true;
      const worker = async () => {
        while (running) {
          const item = await q.get();
          accumulator += item;
          q.taskDone();
        }
      };
      const tasks = [worker(), worker()];
      await q.join();
      expect(accumulator).toBe(4950);
      running = false;
      for (let i = 0; i < tasks.length; i++) q.putNowait(0);
      await Promise.all(tasks);
    });

    it('test_join_empty_queue', async () => {
      const q = make();
      await q.join();
      await q.join();
    });
  });

  describe(`${label}ShutdownTests`, () => {
    it('test_shutdown_empty', async () => {
      const q = make<string>();
      const getTask = track(q.get());
      await sleep0();
      q.shutdown({ immediate: false });
      expect(q.size).toBe(0);
      await q.join();
      await sleep0();
      expect(getTask.reason).toBeInstanceOf(QueueShutDownError);
      await expect(q.put('data')).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.putNowait('data'))).toBeInstanceOf(QueueShutDownError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.getNowait())).toBeInstanceOf(QueueShutDownError);
    });

    it('test_shutdown_nonempty', async () => {
      const q = make<string>(1);
      q.putNowait('data');
      const joinTask = track(q.join());
      const putTask = track(q.put('data2'));
      await sleep0();
      expect(putTask.status).toBe('pending');
      q.shutdown({ immediate: false });
      expect(q.size).toBe(1);
      await sleep0();
      expect(putTask.reason).toBeInstanceOf(QueueShutDownError);
      expect(await q.get()).toBe('data');
      await sleep0();
      expect(joinTask.status).toBe('pending');
      await expect(q.put('data')).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.putNowait('data'))).toBeInstanceOf(QueueShutDownError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.getNowait())).toBeInstanceOf(QueueShutDownError);
      q.taskDone();
      await sleep0();
      expect(joinTask.status).toBe('fulfilled');
      expect(() => q.taskDone()).toThrow();
    });

    it('test_shutdown_immediate', async () => {
      const q = make<string>();
      q.putNowait('data');
      const joinTask = track(q.join());
      q.shutdown({ immediate: true });
      expect(q.size).toBe(0);
      await sleep0();
      expect(joinTask.status).toBe('fulfilled');
      await expect(q.put('data')).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.putNowait('data'))).toBeInstanceOf(QueueShutDownError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDownError);
      expect(thrown(() => q.getNowait())).toBeInstanceOf(QueueShutDownError);
      expect(() => q.taskDone()).toThrow();
    });

    it('test_shutdown_immediate_with_unfinished', async () => {
      const q = make<string>();
      q.putNowait('data');
      q.putNowait('data');
      const joinTask = track(q.join());
      expect(await q.get()).toBe('data');
      q.shutdown({ immediate: true });
      expect(q.size).toBe(0);
      await sleep0();
      expect(joinTask.status).toBe('pending');
      await expect(q.put('data')).rejects.toBeInstanceOf(QueueShutDownError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDownError);
      q.taskDone();
      expect(() => q.taskDone()).toThrow();
      await sleep0();
      expect(joinTask.status).toBe('fulfilled');
      await delay(0);
    });
  });
}
