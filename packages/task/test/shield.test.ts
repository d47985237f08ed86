import { describe, expect, it } from 'vitest';
import { AbortError, createTask, shield, type Task, TaskGroupError, taskGroup } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('shield', () => {
  it('settles like the inner task', async () => {
    expect(await shield(createTask(() => sleep(5, 'v')))).toBe('v');
    const boom = new Error('boom');
    await expect(shield(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(await shield(Promise.resolve(3))).toBe(3);
  });

  it('is cancelled at once when cancelled itself, while the inner task keeps running to completion', async () => {
    let innerFinished = false;
    const inner = createTask(async (signal) => {
      await sleep(60, undefined, { signal });
      innerFinished = true;
      return 'saved';
    });
    const outer = shield(inner, { name: 'guard' });
    expect(outer.name).toBe('guard');
    await sleep(5);
    outer.cancel();
    await expect(outer).rejects.toBeInstanceOf(AbortError);
    expect(outer.cancelled).toBe(true);
    expect(inner.done).toBe(false);
    expect(await inner).toBe('saved');
    expect(innerFinished).toBe(true);
    expect(inner.signal.aborted).toBe(false);
  });

  it('lets shielded work in a group finish when a sibling fails', async () => {
    let saved = false;
    let inner!: Task<void>;
    const error = await taskGroup((group) => {
      group.spawn(() => {
        inner = createTask(async () => {
          await sleep(40);
          saved = true;
        });
        return shield(inner);
      });
      group.spawn(async () => {
        await sleep(5);
        throw new Error('sibling');
      });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toHaveLength(1);
    await inner;
    expect(saved).toBe(true);
  });

  it('is cancelled when the inner task is cancelled directly', async () => {
    const inner = createTask((signal) => sleep(5_000, undefined, { signal }));
    const outer = shield(inner);
    inner.cancel();
    const error = await inner.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    await expect(outer).rejects.toBe(error);
    expect(outer.cancelled).toBe(true);
  });

  it('is cancelled by options.signal: rejects at once with its reason, removes its listener, and inner runs on', async () => {
    const controller = new AbortController();
    let finished = false;
    const inner = createTask(async () => {
      await sleep(40);
      finished = true;
      return 'v';
    });
    const outer = shield(inner, { signal: controller.signal });
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(outer).rejects.toBe(reason);
    expect(outer.cancelled).toBe(true);
    expect(finished).toBe(false);
    expect(await inner).toBe('v');
    const settled = shield(Promise.resolve(1), { signal: new AbortController().signal });
    expect(await settled).toBe(1);
  });

  it('with an already aborted signal, settles cancelled without waiting, and still starts a function inner', async () => {
    let started = false;
    const outer = shield(
      async () => {
        started = true;
        return 1;
      },
      { signal: AbortSignal.abort('gone') },
    );
    await expect(outer).rejects.toBe('gone');
    expect(started).toBe(true);
  });

  it('refuses unknown options and a non-signal signal, naming them', () => {
    const inner = createTask(() => 1);
    expect(() => shield(inner, { sigal: new AbortController().signal } as never)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringContaining('The "options.sigal" property is not a known option'),
      }),
    );
    expect(() => shield(inner, { signal: 1 } as never)).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
    return inner;
  });

  it('throws TypeError for something that is not a task, promise or function', () => {
    expect(() => shield(42 as never)).toThrow(
      'The "inner" argument must be a Task, a promise or a function. Received type number (42)',
    );
    const inner = createTask(() => 1);
    expect(() => shield(inner, { name: 3 as never })).toThrow(TypeError);
    return inner;
  });
});
