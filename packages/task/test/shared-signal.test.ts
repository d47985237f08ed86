import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createTask, TaskGroup, taskGroup } from '../src/index.js';
import { trapUnhandledRejections, untilAborted } from './helpers.js';

trapUnhandledRejections();

// Issue 21: one long-lived signal handed to many tasks and groups. Each keeps at most one real `abort`
// listener on it (so a task settling removes its interest in O(1), not by walking every listener), Node's
// MaxListenersExceededWarning never fires, and nothing is left on the signal once they are done.

const N = 200;
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** Names of the warnings Node emitted while `fn` ran (Node emits them on a later tick). */
async function warningsDuring(fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => seen.push(warning.name);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('many tasks on one shared signal', () => {
  it('createTask: 200 tasks keep one real listener, no MaxListenersExceededWarning, none left after', async () => {
    const controller = new AbortController();
    const resolvers: Array<() => void> = [];
    let tasks: Array<PromiseLike<void>> = [];
    const warnings = await warningsDuring(() => {
      tasks = Array.from({ length: N }, () =>
        createTask(() => new Promise<void>((resolve) => resolvers.push(resolve)), {
          signal: controller.signal,
        }),
      );
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    for (let i = N - 1; i >= 0; i -= 2) resolvers[i]!();
    await Promise.all(tasks.filter((_, i) => i % 2 === 1));
    expect(listeners(controller.signal)).toBe(1);
    for (let i = 0; i < N; i += 2) resolvers[i]!();
    await Promise.all(tasks);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('createTask: aborting the shared signal cancels every task, in creation order, with its reason', async () => {
    const controller = new AbortController();
    const order: number[] = [];
    const tasks = Array.from({ length: 20 }, (_, i) =>
      createTask(
        (signal) => {
          signal.addEventListener('abort', () => order.push(i));
          return untilAborted(signal);
        },
        { signal: controller.signal },
      ),
    );
    const reason = new Error('shutting down');
    controller.abort(reason);
    for (const task of tasks) await expect(task).rejects.toBe(reason);
    expect(tasks.every((task) => task.cancelled)).toBe(true);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(listeners(controller.signal)).toBe(0);
  });

  it('TaskGroup: 200 groups on one signal keep one real listener, no warning; an abort cancels them all', async () => {
    const controller = new AbortController();
    let groups: TaskGroup[] = [];
    const warnings = await warningsDuring(() => {
      groups = Array.from({ length: N }, () => {
        const group = new TaskGroup({ signal: controller.signal });
        group.spawn((signal) => untilAborted(signal));
        return group;
      });
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    controller.abort('stop');
    for (const group of groups) await expect(group.join()).rejects.toBe('stop');
    expect(listeners(controller.signal)).toBe(0);

    const other = new AbortController();
    await Promise.all(
      Array.from({ length: N }, () =>
        taskGroup((g) => void g.spawn(async () => 1), { signal: other.signal }),
      ),
    );
    expect(listeners(other.signal)).toBe(0);
  });
});
