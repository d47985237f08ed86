// Framing of the executor's MSG_RUN messages for a child process: one task per IPC message by default, so a
// child sends each result before it reads its next task, and which tasks it started is known exactly.
import { type MainMessage, MSG_RUN } from '@x/executor/worker';

/** How many tasks a `MSG_RUN` message (`[MSG_RUN, defs, id, fid, argc, ...args, ...]`) carries. */
export function countTasks(message: MainMessage): number {
  let count = 0;
  for (let i = 2; i < message.length; i += 3 + (message[i + 2] as number)) count++;
  return count;
}

/**
 * Splits a `MSG_RUN` message into messages of at most `size` tasks, in order; the first keeps the function
 * definitions (`defs`), which the child registers before running anything after them.
 */
export function splitRun(message: MainMessage, size: number): MainMessage[] {
  if (message[0] !== MSG_RUN) return [message];
  const parts: MainMessage[] = [];
  let part: MainMessage = [MSG_RUN, message[1]];
  let inPart = 0;
  for (let i = 2; i < message.length; ) {
    if (inPart === size) {
      parts.push(part);
      part = [MSG_RUN, 0];
      inPart = 0;
    }
    const end = i + 3 + (message[i + 2] as number);
    for (; i < end; i++) part.push(message[i]);
    inPart++;
  }
  if (parts.length === 0) return [message]; // already small enough: no copy
  parts.push(part);
  return parts;
}
