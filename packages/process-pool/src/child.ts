// The entry script of every child process of a ProcessPool (built to dist/child.js).
import { writeSync } from 'node:fs';
import {
  invokeRemote,
  type MainMessage,
  STATE_LENGTH,
  STATE_RUNNING,
  STATE_STARTED,
  serializeError,
  serveWorker,
  type WorkerChannel,
} from '@x/executor/worker';
import { PROGRESS_FD, PROGRESS_MAGIC, PROGRESS_READY } from './progress.js';
import { INIT, INIT_DONE, INIT_FAILED, INIT_FAILED_EXIT_CODE } from './protocol.js';

// Tasks may arrive while the initializer runs: keep them until the worker loop listens.
const early: MainMessage[] = [];
let deliver: ((message: MainMessage) => void) | undefined;
let initialised = false;

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
  if (deliver) deliver(message as MainMessage);
  else early.push(message as MainMessage);
});

/** Publishes each task start to the parent's progress file (see progress.ts), one pwrite per task. */
function progressReporter(): ((id: number, started: number) => void) | undefined {
  if (!process.argv.includes('--progress')) return undefined;
  const slots = new Int32Array(STATE_LENGTH);
  const bytes = new Uint8Array(slots.buffer);
  slots[PROGRESS_READY] = PROGRESS_MAGIC;
  return (id, started) => {
    slots[STATE_RUNNING] = id;
    slots[STATE_STARTED] = started;
    // The page was allocated by the parent: this write cannot run out of space.
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
  process.send!([INIT_DONE]);
  const channel: WorkerChannel & { onTaskStart?: (id: number, started: number) => void } = {
    send: (message) => process.send!(message),
    onMessage: (listener) => {
      deliver = listener;
      for (const message of early.splice(0)) listener(message);
    },
  };
  const onTaskStart = progressReporter();
  if (onTaskStart) channel.onTaskStart = onTaskStart;
  serveWorker(channel);
}
