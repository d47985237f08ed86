import { getEventListeners } from 'node:events';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AbortError,
  InvalidStateError,
  type Task,
  TaskGroup,
  TaskGroupError,
  taskGroup,
} from '../src/index.js';
import { sleep, slowServer, trapUnhandledRejections, untilAborted } from './helpers.js';

trapUnhandledRejections();

const failAfter = (ms: number, error: unknown) => async () => {
  await sleep(ms);
  throw error;
};

/** Rejection of `promise`, or a failure if it resolves. */
async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('taskGroup', () => {
  it('waits for every child and resolves with the body’s value', async () => {
    const finished: string[] = [];
    const value = await taskGroup(async (group) => {
      group.spawn(async () => {
        await sleep(40);
        finished.push('slow');
      });
      group.spawn(async () => {
        await sleep(10);
        finished.push('fast');
      });
      return 'body';
    });
    expect(value).toBe('body');
    expect(finished).toEqual(['fast', 'slow']);
  });

  it('lets the body await its children’s values', async () => {
    const [users, orders] = await taskGroup(async (group) => {
      const u = group.spawn(() => sleep(10, ['ann']));
      const o = group.spawn(() => sleep(20, [1, 2]));
      return [await u, await o] as const;
    });
    expect(users).toEqual(['ann']);
    expect(orders).toEqual([1, 2]);
    expectTypeOf(users).toEqualTypeOf<string[]>();
  });

  it('cancels the siblings and the group signal on the first failure, and rejects with the real failure only', async () => {
    const boom = new Error('orders down');
    let siblingFinished = false;
    let bodySignal!: AbortSignal;
    let sibling!: Task<void>;
    const started = performance.now();
    const error = await rejectionOf(
      taskGroup(async (group) => {
        bodySignal = group.signal;
        sibling = group.spawn(async (signal) => {
          await sleep(5_000, undefined, { signal });
          siblingFinished = true;
        });
        group.spawn(failAfter(10, boom), { name: 'orders' });
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error).toMatchObject({ name: 'TaskGroupError', code: 'ERR_X_TASK_GROUP', errors: [boom] });
    expect((error as Error).message).toContain('Error: orders down');
    expect(siblingFinished).toBe(false);
    expect(sibling.cancelled).toBe(true);
    expect(bodySignal.aborted).toBe(true);
    expect(bodySignal.reason).toMatchObject({ name: 'AbortError', cause: boom });
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('aborts a sibling’s real fetch when another child fails', async () => {
    const server = await slowServer();
    try {
      const arrived = server.nextRequest();
      const boom = new Error('boom');
      const error = await rejectionOf(
        taskGroup(async (group) => {
          group.spawn((signal) => fetch(server.url('/slow'), { signal }));
          await arrived;
          group.spawn(() => Promise.reject(boom));
        }),
      );
      expect(error).toMatchObject({ errors: [boom] });
      expect(await server.requests[0]!.aborted).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('treats a failing body like a failing child: children cancelled, body error reported', async () => {
    const bodyError = new Error('body broke');
    let childFinished = false;
    let child!: Task<void>;
    const error = await rejectionOf(
      taskGroup(async (group) => {
        child = group.spawn(async (signal) => {
          await sleep(5_000, undefined, { signal });
          childFinished = true;
        });
        await sleep(5);
        throw bodyError;
      }),
    );
    expect(error).toMatchObject({ name: 'TaskGroupError', errors: [bodyError] });
    expect(childFinished).toBe(false);
    expect(child.cancelled).toBe(true);
  });

  it('counts a child’s failure once when the body rethrows it by awaiting the child', async () => {
    const boom = new Error('boom');
    const error = await rejectionOf(
      taskGroup(async (group) => {
        const failing = group.spawn(failAfter(5, boom));
        group.spawn((signal) => sleep(5_000, undefined, { signal }));
        await failing;
      }),
    );
    expect(error).toMatchObject({ errors: [boom] });
  });

  it('reports every real failure, including one raised while a child was being cancelled', async () => {
    const first = new Error('first');
    const cleanup = new Error('cleanup failed');
    const error = await rejectionOf(
      taskGroup((group) => {
        group.spawn(async (signal) => {
          await sleep(5_000, undefined, { signal }).catch(() => undefined);
          throw cleanup;
        });
        group.spawn(failAfter(5, first));
      }),
    );
    expect((error as TaskGroupError).errors).toEqual([first, cleanup]);
  });

  it('does not let a child outlive the group, even one that ignores its signal', async () => {
    let stubbornFinished = false;
    await rejectionOf(
      taskGroup((group) => {
        group.spawn(async () => {
          await sleep(60);
          stubbornFinished = true;
        });
        group.spawn(failAfter(5, new Error('x')));
      }),
    );
    expect(stubbornFinished).toBe(true);
  });

  it('does not treat a child cancelled by the caller as a failure', async () => {
    let otherFinished = false;
    await taskGroup(async (group) => {
      const doomed = group.spawn((signal) => sleep(5_000, undefined, { signal }));
      group.spawn(async () => {
        await sleep(20);
        otherFinished = true;
      });
      doomed.cancel();
      await expect(doomed).rejects.toMatchObject({ name: 'AbortError', cause: expect.any(AbortError) });
      expect(doomed.cancelled).toBe(true);
    });
    expect(otherFinished).toBe(true);
  });

  it('is cancelled as a whole by options.signal, rejects with its reason unchanged, and removes its listener', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const signals: AbortSignal[] = [];
    let finished = 0;
    const run = taskGroup(
      async (group) => {
        for (let i = 0; i < 3; i++)
          group.spawn(async (signal) => {
            signals.push(signal);
            await sleep(5_000, undefined, { signal });
            finished++;
          });
        await sleep(5_000, undefined, { signal: group.signal });
      },
      { signal: controller.signal },
    );
    await sleep(10);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(reason);
    expect(await rejectionOf(run)).toBe(reason);
    expect(finished).toBe(0);
    expect(signals.map((s) => s.reason)).toEqual([reason, reason, reason]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('reports real failures that happen while the caller cancels, with the caller’s reason as cause', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const cleanup = new Error('cleanup failed');
    const run = taskGroup(
      (group) => {
        group.spawn(async (signal) => {
          await untilAborted(signal).catch(() => undefined);
          throw cleanup;
        });
        group.spawn((signal) => untilAborted(signal));
      },
      { signal: controller.signal },
    );
    await sleep(5);
    controller.abort(reason);
    const error = await rejectionOf(run);
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toMatchObject({ errors: [cleanup], cause: reason });
  });

  it('rejects at once with the reason of an already aborted signal, starting no child', async () => {
    const reason = new Error('already');
    let started = false;
    const error = await rejectionOf(
      taskGroup(
        (group) => {
          const child = group.spawn(() => {
            started = true;
          });
          expect(child).toBeDefined();
        },
        { signal: AbortSignal.abort(reason) },
      ),
    );
    expect(error).toBe(reason);
    expect(started).toBe(false);
  });

  it('nests: an inner failure reaches the outer group as a nested TaskGroupError', async () => {
    const boom = new Error('deep');
    let outerSiblingFinished = false;
    const error = await rejectionOf(
      taskGroup((outer) => {
        outer.spawn(async (signal) => {
          await sleep(5_000, undefined, { signal });
          outerSiblingFinished = true;
        });
        outer.spawn((signal) =>
          taskGroup(
            (inner) => {
              inner.spawn(failAfter(5, boom));
            },
            { signal },
          ),
        );
      }),
    );
    expect(outerSiblingFinished).toBe(false);
    expect(error).toBeInstanceOf(TaskGroupError);
    const [nested] = (error as TaskGroupError).errors;
    expect(nested).toBeInstanceOf(TaskGroupError);
    expect((nested as TaskGroupError).errors).toEqual([boom]);
  });

  it('nests: an outer failure cancels the inner group’s children, which are not reported', async () => {
    const boom = new Error('outer');
    let innerFinished = 0;
    const error = await rejectionOf(
      taskGroup((outer) => {
        outer.spawn((signal) =>
          taskGroup(
            (inner) => {
              for (let i = 0; i < 3; i++)
                inner.spawn(async (s) => {
                  await sleep(5_000, undefined, { signal: s });
                  innerFinished++;
                });
            },
            { signal },
          ),
        );
        outer.spawn(failAfter(10, boom));
      }),
    );
    expect((error as TaskGroupError).errors).toEqual([boom]);
    expect(innerFinished).toBe(0);
  });

  it('counts as a cancellation only the abort reason itself or an AbortError wrapping it (or with no cause), never an error that merely carries it', async () => {
    const boom = new Error('boom');
    const carries = (signal: AbortSignal) => new Error('cleanup failed', { cause: signal.reason });
    const otherAbort = new AbortError('aborted by something else', { cause: new Error('other') });
    const error = await rejectionOf(
      taskGroup((group) => {
        const stopWith = (make: (signal: AbortSignal) => unknown) => (signal: AbortSignal) =>
          untilAborted(signal).catch(() => {
            throw make(signal);
          });
        group.spawn(stopWith((signal) => signal.reason)); // the reason itself: cancelled
        group.spawn(stopWith((signal) => new AbortError('stopped', { cause: signal.reason }))); // wraps it: cancelled
        group.spawn(stopWith(() => Object.assign(new Error('legacy'), { name: 'AbortError' }))); // no cause: cancelled
        group.spawn(stopWith(carries)); // carries it as cause: a failure
        group.spawn(stopWith(() => otherAbort)); // another abort's AbortError: a failure
        group.spawn(failAfter(5, boom));
      }),
    );
    const errors = (error as TaskGroupError).errors;
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe(boom);
    expect(errors[1]).toMatchObject({
      message: 'cleanup failed',
      cause: { name: 'AbortError', cause: boom },
    });
    expect(errors[2]).toBe(otherAbort);
  });

  it('cancels 999 siblings and reports one failure when one child among 1,000 fails', async () => {
    const boom = new Error('number 500');
    let finished = 0;
    let cancelled = 0;
    const tasks: Task<void>[] = [];
    const started = performance.now();
    const error = await rejectionOf(
      taskGroup((group) => {
        for (let i = 0; i < 1000; i++)
          tasks.push(
            group.spawn(
              i === 500
                ? failAfter(10, boom)
                : async (signal) => {
                    await sleep(5_000, undefined, { signal });
                    finished++;
                  },
              { name: `child-${i}` },
            ),
          );
      }),
    );
    for (const task of tasks) if (task.cancelled) cancelled++;
    expect((error as TaskGroupError).errors).toEqual([boom]);
    expect(finished).toBe(0);
    expect(cancelled).toBe(999);
    expect(tasks.every((t) => t.done)).toBe(true);
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});

describe('TaskGroup with await using', () => {
  it('waits for the children when the block ends', async () => {
    const finished: number[] = [];
    {
      await using group = new TaskGroup();
      for (const ms of [30, 10, 20])
        group.spawn(async () => {
          await sleep(ms);
          finished.push(ms);
        });
      expect(group.pending).toBe(3);
    }
    expect(finished).toEqual([10, 20, 30]);
  });

  it('throws a TaskGroupError at the end of the block when a child failed', async () => {
    const boom = new Error('boom');
    let siblingFinished = false;
    const run = async () => {
      await using group = new TaskGroup();
      group.spawn(async (signal) => {
        await sleep(5_000, undefined, { signal });
        siblingFinished = true;
      });
      group.spawn(failAfter(5, boom));
    };
    expect(await rejectionOf(run())).toMatchObject({ name: 'TaskGroupError', errors: [boom] });
    expect(siblingFinished).toBe(false);
  });

  it('accepts children spawned by children while the group is closing', async () => {
    const seen: string[] = [];
    {
      await using group = new TaskGroup();
      group.spawn(async () => {
        await sleep(10);
        group.spawn(async () => {
          await sleep(10);
          seen.push('grandchild');
        });
        seen.push('child');
      });
    }
    expect(seen).toEqual(['child', 'grandchild']);
  });

  it('a throw in the block does not cancel the children (documented): they finish, then the error propagates', async () => {
    const blockError = new Error('block failed');
    const events: string[] = [];
    const run = async () => {
      await using group = new TaskGroup();
      group.spawn(async (signal) => {
        await sleep(20, undefined, { signal });
        events.push(signal.aborted ? 'child aborted' : 'child finished');
      });
      throw blockError;
    };
    expect(await rejectionOf(run())).toBe(blockError);
    expect(events).toEqual(['child finished']);
  });

  it('works through the plain join() method too', async () => {
    const group = new TaskGroup();
    const child = group.spawn(() => sleep(10, 'x'));
    await group.join();
    expect(child.result()).toBe('x');
    expect(group.join()).toBe(group.join());
  });
});

describe('TaskGroup#spawn', () => {
  it('throws InvalidStateError once the group has finished', async () => {
    const group = new TaskGroup();
    await group.join();
    expect(() => group.spawn(() => 1, { name: 'late' })).toThrow(InvalidStateError);
    expect(() => group.spawn(() => 1)).toThrow(/TaskGroup that has finished/);
  });

  it('returns an already cancelled task, never started, while the group is shutting down', async () => {
    let started = false;
    let late!: Task<void>;
    const error = await rejectionOf(
      taskGroup(async (group) => {
        group.spawn(failAfter(1, new Error('x')));
        await sleep(20);
        late = group.spawn(() => {
          started = true;
        });
      }),
    );
    expect((error as TaskGroupError).errors).toHaveLength(1);
    expect(started).toBe(false);
    expect(late.cancelled).toBe(true);
  });

  it('throws TypeError naming the bad argument, before starting anything', () => {
    const group = new TaskGroup();
    expect(() => group.spawn(42 as never)).toThrow(
      'The "fn" argument must be of type function. Received type number (42)',
    );
    expect(() => group.spawn(() => 1, { name: 1 as never })).toThrow(
      'The "options.name" property must be of type string. Received type number (1)',
    );
    expect(() => group.spawn(() => 1, 'x' as never)).toThrow(TypeError);
    expect(group.pending).toBe(0);
    return group.join();
  });
});

describe('TaskGroup / taskGroup: bad input', () => {
  it('throws TypeError synchronously for a bad fn or signal', () => {
    expect(() => taskGroup(null as never)).toThrow(
      'The "fn" argument must be of type function. Received null',
    );
    expect(() => taskGroup(() => 1, { signal: 'x' as never })).toThrow(
      `The "options.signal" property must be an instance of AbortSignal. Received type string ('x')`,
    );
    expect(() => new TaskGroup({ signal: 1 as never })).toThrow(TypeError);
    expect(() => new TaskGroup(3 as never)).toThrow('The "options" argument must be of type object.');
  });
});
