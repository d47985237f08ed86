// The entry script of every child process of a ProcessPool (built to dist/child.js).
import { writeSync } from 'node:fs';
import {
  DataCloneError,
  invokeRemote,
  type MainMessage,
  MSG_RESULTS,
  MSG_RUN,
  STATE_LENGTH,
  STATE_RUNNING,
  STATE_STARTED,
  serializeError,
  serveWorker,
  type WorkerMessage,
} from '@x/executor/worker';
import { jsonRefusal } from './json.js';
import { PROGRESS_FD, PROGRESS_MAGIC, PROGRESS_READY } from './progress.js';
import {
  decodeUndefined,
  encodeUndefined,
  INIT,
  INIT_DONE,
  INIT_FAILED,
  INIT_FAILED_EXIT_CODE,
  JSON_UNDEFINED_RESULTS,
  JSON_UNDEFINED_RUN,
} from './protocol.js';
import { countTasks } from './split-run.js';

// Tasks may arrive while the initializer runs: keep them until the worker loop listens.
const early: MainMessage[] = [];
let deliver: ((message: MainMessage) => void) | undefined;
let initialised = false;
const json = process.argv.includes('--json');

// The parent went away (shutdown, or it died): a child never outlives its pool.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: unknown) => {
  if (!initialised) {
    initialised = true;
    const [tag, ref, args] = message as [string, Parameters<typeof invokeRemote>[0] | 0, unknown[]];
    if (tag !== INIT) throw new Error(`A @x/process-pool child expected ${INIT} first, got ${String(tag)}.`);
    void start(ref, args);
    return;
  }
  if ((message as unknown[])[0] === JSON_UNDEFINED_RUN) decodeUndefined(message as unknown[], MSG_RUN);
  if (deliver) deliver(message as MainMessage);
  else early.push(message as MainMessage);
});

/**
 * Publishes, before each MSG_RUN message reaches the worker loop, how many tasks this child has started and
 * which one runs now (one pwrite to the parent's progress file, see progress.ts). The worker loop runs a
 * message's tasks as soon as it gets it and sends their results before it reads the next message, so with
 * one task per message (the transport's default) this is exact. Undefined when progress is off or the
 * file cannot be written (the parent then counts every task it sent as started).
 */
function progressReporter(): ((message: MainMessage) => void) | undefined {
  if (!process.argv.includes('--progress')) return undefined;
  const slots = new Int32Array(STATE_LENGTH);
  const bytes = new Uint8Array(slots.buffer);
  slots[PROGRESS_READY] = PROGRESS_MAGIC;
  try {
    writeSync(PROGRESS_FD, bytes, 0, bytes.length, 0);
  } catch {
    return undefined;
  }
  return (message) => {
    if (message[0] !== MSG_RUN || message.length === 2) return; // a message of definitions only
    slots[STATE_RUNNING] = message[2] as number;
    slots[STATE_STARTED] = slots[STATE_STARTED]! + countTasks(message);
    // Same page as the first write, which worked: this cannot run out of space.
    writeSync(PROGRESS_FD, bytes, 0, bytes.length, 0);
  };
}

async function start(ref: Parameters<typeof invokeRemote>[0] | 0, args: unknown[]) {
  if (ref !== 0) {
    try {
      await invokeRemote(ref, args);
    } catch (error) {
      process.send!([INIT_FAILED, serializeError(error)], undefined, undefined, () =>
        process.exit(INIT_FAILED_EXIT_CODE),
      );
      return;
    }
  }
  const report = progressReporter();
  process.send!([INIT_DONE, report !== undefined]);
  serveWorker({
    send: json ? sendJson : (message) => process.send!(message),
    onMessage: (listener) => {
      deliver = paced(listener, report);
      for (const message of early.splice(0)) deliver(message);
    },
  });
}

/**
 * Hands MSG_RUN messages to the worker loop (other messages at once), but never two in one turn of the
 * event loop: Node emits every message of one read back to back, before any promise callback, so without
 * the pause an async task that was about to settle would not have sent its result yet when the next task
 * started, and a crash of that task would take the finished one's result with it. A message that arrives
 * on its own (one task at a time) runs at once.
 */
function paced(
  listener: (message: MainMessage) => void,
  report: ((message: MainMessage) => void) | undefined,
): (message: MainMessage) => void {
  let waiting: MainMessage[] = [];
  let head = 0;
  /** A message ran in this turn and promise callbacks have not run since. */
  let fresh = false;
  /** `next` is due (whenever `waiting` holds messages). */
  let scheduled = false;
  /** How long the last run held the thread synchronously, in ms. */
  let lastBusy = 0;
  /** `next` already let one poll of the channel happen after a long run. */
  let polled = false;
  const settled = () => {
    fresh = false;
  };
  const run = (message: MainMessage) => {
    report?.(message);
    fresh = true;
    queueMicrotask(settled);
    const t0 = performance.now();
    listener(message);
    lastBusy = performance.now() - t0;
  };
  const next = () => {
    if (lastBusy > 1 && !polled) {
      // The last task held the thread: what the parent sent meanwhile (a cancellation from shutdown with
      // cancelPending) is still unread, and this check phase comes before the next poll. Wait one turn.
      polled = true;
      setImmediate(next);
      return;
    }
    polled = false;
    lastBusy = 0;
    scheduled = false;
    const message = waiting[head++]!;
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
    run(message);
    if (head < waiting.length) {
      scheduled = true;
      setImmediate(next);
    }
  };
  return (message) => {
    if (message[0] !== MSG_RUN) listener(message);
    else if (!fresh && head === waiting.length) run(message);
    else {
      waiting.push(message);
      if (!scheduled) {
        scheduled = true;
        setImmediate(next);
      }
    }
  };
}

/**
 * `process.send` for `serialization: 'json'`: throws (sending nothing) a DataCloneError for a result JSON
 * would change (the worker loop then fails that task only), and keeps a result that is `undefined` (JSON
 * would send `null`).
 */
function sendJson(message: WorkerMessage): void {
  let indexes: number[] | undefined;
  if (message[0] === MSG_RESULTS) {
    for (let i = 2; i < message.length; i += 2) {
      if ((message[i] as number) < 0) continue; // an error: serialized as plain data already
      const value = message[i + 1];
      if (value === undefined) (indexes ??= []).push(i + 1);
      else {
        const refusal = jsonRefusal(value, 'the result');
        if (refusal !== undefined) throw new DataCloneError(...refusal);
      }
    }
  }
  process.send!(indexes === undefined ? message : encodeUndefined(message, JSON_UNDEFINED_RESULTS, indexes));
}
