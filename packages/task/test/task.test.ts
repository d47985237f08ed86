import { getEventListeners } from 'node:events';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AbortError, createTask, InvalidStateError, Task } from '../src/index.js';
import { recorder, sleep, slowServer, trapUnhandledRejections, untilAborted } from './helpers.js';

trapUnhandledRejections();

describe('createTask: the seeds’ scenarios', () => {
  it('starts A, B and C at once; they finish in order of their delays, not of creation', async () => {
    const { log, mark, elapsed } = recorder();
    const job = async (name: string, ms: number) => {
      mark(`start ${name}`);
      await sleep(ms);
      mark(`end ${name}`);
      return name;
    };
    const a = createTask(() => job('A', 150));
    const b = createTask(() => job('B', 50));
    const c = createTask(() => job('C', 100));
    expect(log).toEqual(['start A', 'start B', 'start C']);
    expect([await a, await b, await c]).toEqual(['A', 'B', 'C']);
    expect(log).toEqual(['start A', 'start B', 'start C', 'end B', 'end C', 'end A']);
    // Sequential would be 300 ms; concurrent is ~150 ms. Generous bound for a loaded machine.
    expect(elapsed()).toBeLessThan(0.75 * 300);
  });

  it('schedules two tasks, lets the caller log "scheduled", then awaits both', async () => {
    const { log, mark, elapsed } = recorder();
    const job = async (name: string, ms: number) => {
      mark(`start ${name}`);
      await sleep(ms);
      mark(`end ${name}`);
      return `${name} done`;
    };
    const taskA = createTask(() => job('A', 100));
    const taskB = createTask(() => job('B', 200));
    mark('scheduled');
    const resultA = await taskA;
    const resultB = await taskB;
    expect([resultA, resultB]).toEqual(['A done', 'B done']);
    expect(log).toEqual(['start A', 'start B', 'scheduled', 'end A', 'end B']);
    expect(elapsed()).toBeLessThan(0.75 * 300);
  });
});

describe('createTask: outcome', () => {
  it('is awaitable and reports its value through result() once done', async () => {
    const task = createTask(async () => 42, { name: 'answer' });
    expect(task).toBeInstanceOf(Task);
    expect(task.done).toBe(false);
    expect(await task).toBe(42);
    expect(task.done).toBe(true);
    expect(task.cancelled).toBe(false);
    expect(task.result()).toBe(42);
    expect(task.exception()).toBeUndefined();
    expect(task.name).toBe('answer');
    expect(String(task)).toBe('[object Task]');
  });

  it('throws InvalidStateError from result() and exception() before the task is done', async () => {
    const task = createTask(() => sleep(20, 'late'), { name: 'slow' });
    expect(() => task.result()).toThrow(InvalidStateError);
    expect(() => task.exception()).toThrow(/Task 'slow' is not done yet/);
    try {
      task.result();
    } catch (error) {
      expect(error).toMatchObject({ name: 'InvalidStateError', code: 'ERR_X_INVALID_STATE' });
    }
    expect(await task).toBe('late');
  });

  it('turns a rejection and a synchronous throw into the task’s failure, without throwing from createTask', async () => {
    const boom = new Error('boom');
    const rejecting = createTask(async () => {
      throw boom;
    });
    const throwing = createTask(() => {
      throw boom;
    });
    await expect(rejecting).rejects.toBe(boom);
    await expect(throwing).rejects.toBe(boom);
    expect(throwing.exception()).toBe(boom);
    expect(() => throwing.result()).toThrow(boom);
    expect(throwing.cancelled).toBe(false);
  });

  it('accepts a function returning a plain value, and settles it asynchronously', async () => {
    const task = createTask(() => 'now');
    expect(task.done).toBe(false);
    expect(await task).toBe('now');
  });

  it('numbers unnamed tasks Task-<n> in creation order', () => {
    const first = createTask(() => 1);
    const second = createTask(() => 2);
    const n = Number(first.name.replace('Task-', ''));
    expect(first.name).toMatch(/^Task-\d+$/);
    expect(second.name).toBe(`Task-${n + 1}`);
  });

  it('supports catch() and finally() like a promise', async () => {
    const order: string[] = [];
    const failing = createTask(async () => {
      throw new Error('x');
    });
    expect(await failing.catch((error: Error) => error.message)).toBe('x');
    expect(
      await createTask(async () => 'v').finally(() => {
        order.push('finally');
      }),
    ).toBe('v');
    expect(order).toEqual(['finally']);
  });

  it('keeps the value type through createTask', async () => {
    const numeric = createTask(async () => 1);
    const flag = createTask((signal) => signal.aborted);
    const text = createTask(async () => 'a');
    await Promise.all([numeric, flag, text]);
    expectTypeOf(numeric).toEqualTypeOf<Task<number>>();
    expectTypeOf(flag).toEqualTypeOf<Task<boolean>>();
    expectTypeOf(text.result()).toEqualTypeOf<string>();
    expectTypeOf(await text).toEqualTypeOf<string>();
    // Covariant like a promise: a list of tasks of different types is a Task<unknown>[].
    const mixed: Task<unknown>[] = [numeric, flag, text];
    expect(mixed).toHaveLength(3);
  });
});

describe('createTask: cancellation', () => {
  it('aborts a real timer: the work stops and the task rejects with an AbortError', async () => {
    let finished = false;
    const started = performance.now();
    const task = createTask(async (signal) => {
      await sleep(5_000, undefined, { signal });
      finished = true;
    });
    await sleep(10);
    expect(task.cancel()).toBe(true);
    expect(task.signal.aborted).toBe(true);
    expect(task.signal.reason).toBeInstanceOf(AbortError);
    expect(task.signal.reason).toMatchObject({ name: 'AbortError', code: 'ERR_X_ABORTED' });
    const error = await task.then(
      () => undefined,
      (e: unknown) => e,
    );
    // Node's timers reject with their own AbortError, whose cause is the reason the task gave.
    expect(error).toMatchObject({ name: 'AbortError', cause: task.signal.reason });
    expect(task.cancelled).toBe(true);
    expect(task.done).toBe(true);
    expect(finished).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(() => task.result()).toThrow(error as Error);
    expect(() => task.exception()).toThrow(error as Error);
  });

  it('rejects with the reason given to cancel(), unchanged, when the work rejects with it (as fetch does)', async () => {
    const reason = new Error('user left');
    const task = createTask((signal) => untilAborted(signal));
    expect(task.cancel(reason)).toBe(true);
    expect(task.cancel(new Error('second'))).toBe(false);
    await expect(task).rejects.toBe(reason);
    expect(task.cancelled).toBe(true);
    expect(task.signal.reason).toBe(reason);
  });

  it('aborts a real fetch: the local server sees the request go away', async () => {
    const server = await slowServer();
    try {
      const arrived = server.nextRequest();
      const task = createTask((signal) => fetch(server.url('/slow'), { signal }));
      await arrived;
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(AbortError);
      expect(task.cancelled).toBe(true);
      expect(await server.requests[0]!.aborted).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('is cooperative: work that ignores its signal finishes, and the task settles with it, not before', async () => {
    let finished = false;
    const task = createTask(async () => {
      await sleep(60);
      finished = true;
      return 'ignored';
    });
    expect(task.cancel()).toBe(true);
    await sleep(10);
    expect(task.done).toBe(false);
    expect(await task).toBe('ignored');
    expect(finished).toBe(true);
    expect(task.cancelled).toBe(false);
  });

  it('reports a real error raised while stopping as a failure, not a cancellation', async () => {
    const cleanup = new Error('cleanup failed');
    const task = createTask(async (signal) => {
      await sleep(5_000, undefined, { signal }).catch(() => undefined);
      throw cleanup;
    });
    task.cancel();
    await expect(task).rejects.toBe(cleanup);
    expect(task.cancelled).toBe(false);
    expect(task.exception()).toBe(cleanup);
  });

  it('returns false from cancel() once the task has settled, and stays fulfilled', async () => {
    const task = createTask(async () => 'v');
    await task;
    expect(task.cancel()).toBe(false);
    expect(task.cancelled).toBe(false);
    expect(task.result()).toBe('v');
  });

  it('creates the signal lazily for a function without parameters, already aborted if cancelled', async () => {
    let task!: Task<string>;
    task = createTask(async () => {
      await sleep(5);
      // A parameterless function can still reach its signal through the task.
      await sleep(5_000, undefined, { signal: task.signal });
      return 'never';
    });
    task.cancel();
    await expect(task).rejects.toMatchObject({ name: 'AbortError' });
    expect(task.cancelled).toBe(true);
    expect(task.signal.aborted).toBe(true);
  });

  it('is cancelled by options.signal with its reason unchanged, and removes its listener', async () => {
    const controller = new AbortController();
    const reason = new Error('shutdown');
    const task = createTask((signal) => untilAborted(signal), { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(reason);
    await expect(task).rejects.toBe(reason);
    expect(task.cancelled).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener from options.signal when it settles normally', async () => {
    const controller = new AbortController();
    await createTask(async () => 1, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('never calls the function when options.signal is already aborted', async () => {
    let called = false;
    const reason = new Error('too late');
    const task = createTask(
      () => {
        called = true;
      },
      { signal: AbortSignal.abort(reason) },
    );
    await expect(task).rejects.toBe(reason);
    expect(called).toBe(false);
    expect(task.cancelled).toBe(true);
  });
});

describe('Task#onDone', () => {
  it('calls the callback with the task once it settles, and soon if it already has', async () => {
    const seen: string[] = [];
    const task = createTask(() => sleep(10, 'v'), { name: 'cb' });
    task.onDone((t) => seen.push(`first ${t.name} ${t.result()}`));
    await task;
    task.onDone((t) => seen.push(`late ${t.done}`));
    expect(seen).toEqual(['first cb v']);
    await sleep(0);
    expect(seen).toEqual(['first cb v', 'late true']);
  });

  it('returns a function that unregisters the callback', async () => {
    let calls = 0;
    const task = createTask(() => sleep(5));
    const off = task.onDone(() => calls++);
    off();
    await task;
    await sleep(0);
    expect(calls).toBe(0);
  });

  it('sees a cancelled task as cancelled', async () => {
    const task = createTask((signal) => sleep(5_000, undefined, { signal }));
    const states = new Promise<boolean>((resolve) => task.onDone((t) => resolve(t.cancelled)));
    task.cancel();
    expect(await states).toBe(true);
    await task.catch(() => undefined);
  });
});

describe('createTask: which functions receive the signal', () => {
  it('passes it to every function that declares a parameter, rest and default parameters included', async () => {
    const received: unknown[] = [];
    const forward = (...args: unknown[]) => received.push(args[0]);
    const withDefault = (signal: AbortSignal | undefined = undefined) => received.push(signal);
    async function classic(signal: AbortSignal) {
      received.push(signal);
    }
    const plain = createTask(forward);
    const defaulted = createTask(withDefault);
    const declared = createTask(classic);
    await Promise.all([plain, defaulted, declared]);
    expect(received).toEqual([plain.signal, defaulted.signal, declared.signal]);
    for (const value of received) expect(value).toBeInstanceOf(AbortSignal);
  });

  it('cancels work behind a forwarding wrapper (the wrapper passes the signal on)', async () => {
    const work = (signal: AbortSignal) => sleep(5_000, 'done', { signal });
    const wrapper = (...args: [AbortSignal]) => work(...args);
    const task = createTask(wrapper);
    task.cancel();
    await expect(task).rejects.toMatchObject({ name: 'AbortError' });
    expect(task.cancelled).toBe(true);
  });

  it('calls a function that declares no parameter with no argument at all', async () => {
    const counts: number[] = [];
    await createTask(function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: the number of arguments is what is tested
      counts.push(arguments.length);
    });
    await createTask(async () => counts.push(-1));
    expect(counts).toEqual([0, -1]);
  });
});

describe('createTask: bad input', () => {
  it.each([
    [undefined, 'Received undefined'],
    ['fn', "Received type string ('fn')"],
    [{}, 'Received an instance of Object'],
  ])('throws TypeError naming "fn" for %s', (fn, received) => {
    expect(() => createTask(fn as never)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: `The "fn" argument must be of type function. ${received}`,
      }),
    );
  });

  it('throws TypeError naming options, options.name and options.signal', () => {
    const fn = () => 1;
    expect(() => createTask(fn, 5 as never)).toThrow(
      'The "options" argument must be of type object. Received type number (5)',
    );
    expect(() => createTask(fn, { name: 7 as never })).toThrow(
      'The "options.name" property must be of type string. Received type number (7)',
    );
    expect(() => createTask(fn, { signal: 1 as never })).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
    expect(() => createTask(fn, { signal: {} as never })).toThrow(TypeError);
  });

  it('does not start the function when the options are bad', () => {
    let called = false;
    expect(() =>
      createTask(
        () => {
          called = true;
        },
        { name: null as never },
      ),
    ).toThrow(TypeError);
    expect(called).toBe(false);
  });

  it('throws TypeError naming "callback" from onDone', async () => {
    const task = createTask(() => 1);
    expect(() => task.onDone('x' as never)).toThrow('The "callback" argument must be of type function.');
    await task;
  });
});

describe('createTask: performance shape', () => {
  it('does not create an AbortSignal for a function that takes none', async () => {
    const original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      await createTask(async () => 1);
      expect(made).toBe(0);
      await createTask(async (signal) => signal.aborted);
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = original;
    }
  });
});
