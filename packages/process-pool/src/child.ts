// The entry script of every child process of a ProcessPool (built to dist/child.js).
import { readSync, writeSync } from 'node:fs';
import {
  DataCloneError,
  invokeRemote,
  LoopSpin,
  type MainMessage,
  MSG_RESULTS,
  MSG_RUN,
  MSG_YIELD,
  STATE_LENGTH,
  STATE_RUNNING,
  STATE_STARTED,
  serializeError,
  serveWorker,
  type WorkerMessage,
} from '@x/executor/worker';
import { jsonRefusal } from './json.js';
import { CANCEL_OFFSET, PROGRESS_FD, PROGRESS_MAGIC, PROGRESS_READY } from './progress.js';
import {
  decodeUndefined,
  encodeUndefined,
  INIT,
  INIT_DONE,
  INIT_FAILED,
  INIT_FAILED_EXIT_CODE,
  JSON_UNDEFINED_RESULTS,
  JSON_UNDEFINED_RUN,
  MEMORY,
  STOP,
} from './protocol.js';
import { countTasks } from './split-run.js';

// Bound at load, like the thread runtime: a task may replace `globalThis.process` (or its methods), and the
// loop must still answer through the real one.
const send = process.send!.bind(process) as (
  message: unknown,
  sendHandle?: undefined,
  options?: undefined,
  callback?: (error: Error | null) => void,
) => boolean;
const exit = process.exit.bind(process);

// Tasks may arrive while the initializer runs: keep them until the worker loop listens.
const early: MainMessage[] = [];
let deliver: ((message: MainMessage) => void) | undefined;
let initialised = false;
/** The pool's teardown, run when the parent stops this child gracefully. */
let teardown: Parameters<typeof invokeRemote>[0] | 0 = 0;
const json = process.argv.includes('--json');
const progress = process.argv.includes('--progress');
const memory = process.argv.includes('--memory');
/** MSG_RUN messages received and not yet handed to the worker loop (see `paced`). */
let queuedRuns = 0;
/**
 * After answering, the child keeps its event loop turning for up to `--spin=<µs>` waiting for the next task,
 * so a task sent soon after is read without waking a sleeping process (see `LoopSpin`).
 */
const spin = new LoopSpin(
  Number(process.argv.find((arg) => arg.startsWith('--spin='))?.slice('--spin='.length) ?? 0) / 1000,
);

// The parent went away (shutdown, or it died): a child never outlives its pool.
process.on('disconnect', () => exit(0));

process.on('message', (message: unknown) => {
  spin.answered();
  if (!initialised) {
    initialised = true;
    const [tag, ref, args, down] = message as [
      string,
      Parameters<typeof invokeRemote>[0] | 0,
      unknown[],
      Parameters<typeof invokeRemote>[0] | 0 | undefined,
    ];
    if (tag !== INIT) throw new Error(`A @x/process-pool child expected ${INIT} first, got ${String(tag)}.`);
    teardown = down ?? 0;
    void start(ref, args);
    return;
  }
  if ((message as unknown[])[0] === STOP) {
    void stop();
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
  if (!progress) return undefined;
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

/** Stopped gracefully (the child is idle): run the teardown, then exit. */
async function stop() {
  let code = 0;
  if (teardown !== 0) {
    try {
      await invokeRemote(teardown, []);
    } catch (error) {
      code = 1;
      process.emitWarning(
        `The pool's teardown threw in a child process: ${(error as Error)?.stack ?? error}`,
        {
          code: 'ERR_X_TEARDOWN_FAILED',
        },
      );
    }
  }
  exit(code);
}

async function start(ref: Parameters<typeof invokeRemote>[0] | 0, args: unknown[]) {
  if (ref !== 0) {
    try {
      await invokeRemote(ref, args);
    } catch (error) {
      send([INIT_FAILED, serializeError(error)], undefined, undefined, () => exit(INIT_FAILED_EXIT_CODE));
      return;
    }
  }
  const report = progressReporter();
  send([INIT_DONE, report !== undefined]);
  const postOne = json ? sendJson : (message: WorkerMessage) => send(message);
  const post = (message: WorkerMessage) => {
    postOne(message);
    // Only with no task waiting here: a child with a backlog is about to be busy anyway.
    if (message[0] === MSG_RESULTS && queuedRuns === 0) spin.sent();
  };
  serveWorker({
    // With maxMemory, the resident set size goes first: the parent has it when the results arrive.
    send: memory
      ? (message) => {
          if (message[0] === MSG_RESULTS) send([MEMORY, process.memoryUsage.rss() / 1048576]);
          post(message);
        }
      : post,
    onMessage: (listener) => {
      deliver = paced(listener, report);
      for (const message of early.splice(0)) deliver(message);
    },
    cancelPending: report === undefined ? undefined : cancelFlag(),
  });
}

/**
 * Reads the flag the parent sets in the progress file when it shuts down with `cancelPending` (see
 * `ProgressFile.cancelUnstarted`): one pread right before each task, so a task this child had not started when
 * `shutdown` was called never starts, even if its message was read long before the cancellation.
 */
function cancelFlag(): () => boolean {
  const flag = new Int32Array(1);
  const bytes = new Uint8Array(flag.buffer);
  let set = false;
  return () => {
    if (set) return true;
    try {
      readSync(PROGRESS_FD, bytes, 0, bytes.length, CANCEL_OFFSET);
    } catch {
      return false; // MSG_CANCEL still reaches this child
    }
    set = flag[0] !== 0;
    return set;
  };
}

/**
 * Hands MSG_RUN messages to the worker loop one per turn of the event loop, from its check phase
 * (`setImmediate`); other messages at once. Node emits every message of one read back to back, before any
 * promise callback: without the pause, an async task about to settle would not have sent its result when the
 * next task started (a crash of that one would take the finished result with it), and a task read together
 * with the cancellation sent behind it would start before the cancellation is seen. By the check phase the
 * whole read has been delivered, and between two tasks the event loop polls the channel again.
 */
function paced(
  listener: (message: MainMessage) => void,
  report: ((message: MainMessage) => void) | undefined,
): (message: MainMessage) => void {
  const waiting: MainMessage[] = [];
  let head = 0;
  let scheduled = false;
  const next = () => {
    const message = waiting[head]!;
    waiting[head++] = undefined as never;
    queuedRuns = waiting.length - head;
    if (head < waiting.length) setImmediate(next);
    else {
      waiting.length = 0;
      head = 0;
      scheduled = false;
    }
    report?.(message);
    listener(message);
  };
  return (message) => {
    if (message[0] !== MSG_RUN) {
      listener(message);
      return;
    }
    waiting.push(message);
    queuedRuns = waiting.length - head;
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  };
}

/**
 * `process.send` for `serialization: 'json'`: throws (sending nothing) a DataCloneError for a result (or a value a
 * stream yielded) JSON would change (the worker loop then fails that task only), and keeps a result that is `undefined` (JSON
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
  } else if (message[0] === MSG_YIELD) {
    // Values a stream yielded: each must arrive as it was (no slot to restore an `undefined` in).
    for (let i = 2; i < message.length; i++) {
      const refusal = jsonRefusal(message[i], 'a value the stream yielded', false);
      if (refusal !== undefined) throw new DataCloneError(...refusal);
    }
  }
  send(indexes === undefined ? message : encodeUndefined(message, JSON_UNDEFINED_RESULTS, indexes));
}
