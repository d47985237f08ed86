/**
 * The same scenarios as test/asyncio/*.py, run against CPython's asyncio and against @x/task, with their event
 * traces compared: where the README's "asyncio → @x/task" table says we behave like asyncio, these tests fail if
 * we drift apart. Each test names the asyncio behaviour it follows (or the documented difference).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { python, runAsyncio, shape, skipNote } from '../../../scripts/test-support/asyncio-trace.js';
import { createTask, shield, taskGroup } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const script = (name: string) => fileURLToPath(new URL(`./asyncio/${name}`, import.meta.url));

class BoomError extends Error {
  override name = 'BoomError';
}
class CleanupError extends Error {
  override name = 'CleanupError';
}
class InnerCleanupError extends Error {
  override name = 'InnerCleanupError';
}
class MidCleanupError extends Error {
  override name = 'MidCleanupError';
}

type Log = string[];
interface Trace {
  events: string[];
  raised: string | null;
}

async function failsAfter(ms: number, log: Log): Promise<never> {
  await sleep(ms);
  log.push('boom');
  throw new BoomError();
}

/** Waits for its signal, then fails with an error that carries the abort reason as its cause. */
async function failsWhileStopping(
  name: string,
  ErrorClass: new (message?: string, options?: ErrorOptions) => Error,
  delayMs: number,
  log: Log,
  signal: AbortSignal,
): Promise<never> {
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  if (delayMs) await sleep(delayMs);
  log.push(`${name} fails while stopping`);
  throw new ErrorClass(undefined, { cause: signal.reason });
}

async function stopsCleanly(name: string, log: Log, signal: AbortSignal): Promise<never> {
  try {
    await sleep(10_000, undefined, { signal });
  } catch (error) {
    log.push(`${name} cancelled`);
    throw error;
  }
  throw new Error('not cancelled');
}

const scenarios: Record<string, (log: Log) => Promise<unknown>> = {
  one_level: (log) =>
    taskGroup((outer) => {
      outer.spawn((signal) => failsWhileStopping('a', CleanupError, 0, log, signal));
      outer.spawn(() => failsAfter(10, log));
    }),
  two_levels: (log) =>
    taskGroup((outer) => {
      outer.spawn((signal) =>
        taskGroup(
          (inner) => {
            inner.spawn((s) => failsWhileStopping('inner', CleanupError, 0, log, s));
            inner.spawn((s) => stopsCleanly('inner-sibling', log, s));
          },
          { signal },
        ),
      );
      outer.spawn(() => failsAfter(10, log));
    }),
  three_levels: (log) =>
    taskGroup((outer) => {
      outer.spawn((signal) =>
        taskGroup(
          (mid) => {
            mid.spawn((s) =>
              taskGroup(
                (inner) => {
                  inner.spawn((s2) => failsWhileStopping('inner', InnerCleanupError, 0, log, s2));
                  inner.spawn((s2) => stopsCleanly('inner-sibling', log, s2));
                },
                { signal: s },
              ),
            );
            mid.spawn((s) => failsWhileStopping('mid', MidCleanupError, 20, log, s));
          },
          { signal },
        ),
      );
      outer.spawn(() => failsAfter(10, log));
    }),
};

async function ours(name: string): Promise<Trace> {
  const log: Log = [];
  try {
    await scenarios[name]!(log);
    return { events: log, raised: null };
  } catch (error) {
    return { events: log, raised: shape(error) };
  }
}

describe.skipIf(python === undefined)(
  `nested groups, failures while being cancelled, against asyncio${skipNote}`,
  () => {
    let asyncio: Record<string, Trace> | undefined;
    const expected = async (name: string) => {
      asyncio ??= await runAsyncio<Record<string, Trace>>(script('nested_group_failures.py'));
      return asyncio[name];
    };

    it('one level: a child that fails while stopping (its error carries the abort reason as cause) is a failure, as in asyncio', async () => {
      const trace = await ours('one_level');
      expect(trace).toEqual({
        events: ['boom', 'a fails while stopping'],
        raised: 'group(BoomError, CleanupError)',
      });
      expect(trace).toEqual(await expected('one_level'));
    });

    it('two levels: the cancelled inner group’s failure is kept, nested, as asyncio’s ExceptionGroup[Boom, ExceptionGroup[Cleanup]]', async () => {
      const trace = await ours('two_levels');
      expect(trace.raised).toBe('group(BoomError, group(CleanupError))');
      expect(trace).toEqual(await expected('two_levels'));
    });

    it('three levels: failures while stopping at the middle and inner levels are all kept, nested as asyncio nests them', async () => {
      const trace = await ours('three_levels');
      expect(trace.raised).toBe('group(BoomError, group(group(InnerCleanupError), MidCleanupError))');
      expect(trace).toEqual(await expected('three_levels'));
    });
  },
);

describe.skipIf(python === undefined)(
  `shield, awaited in a task that is cancelled, against asyncio${skipNote}`,
  () => {
    it('with the task’s signal, the wait stops at once while the shielded work runs on (asyncio: CancelledError at the await)', async () => {
      const log: string[] = [];
      const save = createTask(async () => {
        await sleep(50);
        log.push('save finished');
        return 'saved';
      });
      const editor = createTask(async (signal) => {
        try {
          await shield(save, { signal });
          log.push('editor resumed');
        } catch (error) {
          log.push('editor cancelled while waiting');
          throw error;
        }
      });
      await sleep(10);
      editor.cancel();
      log.push('cancel requested');
      await editor.catch(() => log.push(`editor done: ${editor.cancelled ? 'cancelled' : 'not cancelled'}`));
      log.push(`save done: ${save.done}`);
      log.push(`save result: ${await save}`);
      // The same trace as asyncio's, event for event.
      expect({ events: log }).toEqual(await runAsyncio(script('shield_in_cancelled_task.py')));
      expect(log).toEqual([
        'cancel requested',
        'editor cancelled while waiting',
        'editor done: cancelled',
        'save done: false',
        'save finished',
        'save result: saved',
      ]);
    });
  },
);
