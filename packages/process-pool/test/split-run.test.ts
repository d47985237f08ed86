import { MSG_RUN } from '@x/executor';
import { describe, expect, it } from 'vitest';
import { countTasks, splitRun } from '../src/split-run.js';

describe('splitRun (one task per IPC message)', () => {
  const defs = [0, { kind: 'source', key: 's:1', source: '(a, b) => a + b' }];
  // Three tasks: (id 1, fid 0, 2 args), (id 2, fid 0, 0 args), (id 3, fid 1, 1 arg).
  const message = [MSG_RUN, defs, 1, 0, 2, 'a', 'b', 2, 0, 0, 3, 1, 1, { x: 1 }];

  it('counts the tasks of a message, whatever their argument counts', () => {
    expect(countTasks(message)).toBe(3);
    expect(countTasks([MSG_RUN, 0])).toBe(0);
  });

  it('splits into messages of at most `size` tasks, in order, definitions in the first only', () => {
    expect(splitRun(message, 1)).toEqual([
      [MSG_RUN, defs, 1, 0, 2, 'a', 'b'],
      [MSG_RUN, 0, 2, 0, 0],
      [MSG_RUN, 0, 3, 1, 1, { x: 1 }],
    ]);
    expect(splitRun(message, 2)).toEqual([
      [MSG_RUN, defs, 1, 0, 2, 'a', 'b', 2, 0, 0],
      [MSG_RUN, 0, 3, 1, 1, { x: 1 }],
    ]);
  });

  it('returns a message that is small enough, or not a MSG_RUN, as it is', () => {
    expect(splitRun(message, 3)[0]).toBe(message);
    const cancel = [1, 5, 6];
    expect(splitRun(cancel, 1)[0]).toBe(cancel);
  });
});
