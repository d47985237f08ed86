import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DONE, Task } from '../src/pool-task.js';
import { TaskQueue } from '../src/task-queue.js';

const ref = { kind: 'source', key: 'k', source: '() => 0' } as const;
const task = (id: number, priority = 0) => {
  const t = new Task(id, ref, [], undefined);
  t.priority = priority;
  return t;
};

describe('TaskQueue', () => {
  it('hands out tasks highest priority first, FIFO among equals, skipping withdrawn ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ priority: fc.integer({ min: -3, max: 3 }), withdraw: fc.boolean() }), {
          maxLength: 300,
        }),
        (specs) => {
          const queue = new TaskQueue();
          const tasks = specs.map((s, i) => task(i, s.priority));
          for (const t of tasks) queue.push(t);
          for (const [i, s] of specs.entries()) {
            if (!s.withdraw) continue;
            tasks[i]!.state = DONE;
            queue.withdrawn();
          }
          const live = specs.filter((s) => !s.withdraw).length;
          expect(queue.size).toBe(live);
          const out: number[] = [];
          for (let t = queue.shift(); t !== undefined; t = queue.shift()) out.push(t.id);
          const expected = tasks
            .filter((_, i) => !specs[i]!.withdraw)
            .sort((a, b) => b.priority - a.priority || a.id - b.id)
            .map((t) => t.id);
          expect(out).toEqual(expected);
          expect(queue.size).toBe(0);
        },
      ),
    );
  });

  it('puts tasks back ahead of the ones of their priority submitted after them', () => {
    const queue = new TaskQueue();
    const [a, b, c, d] = [task(1), task(2, 5), task(3), task(4, 5)];
    for (const t of [a, b, c, d]) queue.push(t!);
    const first = queue.shift()!; // b (priority 5)
    const second = queue.shift()!; // d (priority 5)
    const third = queue.shift()!; // a
    expect([first.id, second.id, third.id]).toEqual([2, 4, 1]);
    queue.unshift(third, first, second); // e.g. their worker died before starting them
    expect(queue.size).toBe(4);
    expect(queue.clear().map((t) => t.id)).toEqual([2, 4, 1, 3]);
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });
});
