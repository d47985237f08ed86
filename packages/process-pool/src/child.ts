// The entry script of every child process of a ProcessPool (built to dist/child.js).
import { invokeRemote, type MainMessage, serializeError, serveWorker } from '@x/executor/worker';
import { INIT, INIT_FAILED, INIT_FAILED_EXIT_CODE } from './protocol.js';

const send = (message: unknown) => process.send!(message);
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
  serveWorker({
    send,
    onMessage: (listener) => {
      deliver = listener;
      for (const message of early.splice(0)) listener(message);
    },
  });
}
