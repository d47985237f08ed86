// The entry script of every thread of a ThreadPool (built to dist/worker.js).
import { getHeapStatistics } from 'node:v8';
import { parentPort, receiveMessageOnPort, type TransferListItem, workerData } from 'node:worker_threads';
import {
  invokeRemote,
  type MainMessage,
  MSG_RESULTS,
  serializeError,
  serveWorker,
  type WorkerMessage,
} from '@x/executor/worker';
import { INIT_FAILED, INIT_FAILED_EXIT_CODE, STOP, type ThreadData } from './protocol.js';

const { port, state, initializer, initArgs, teardown, memory } = workerData as ThreadData;
const heap = memory === 0 ? undefined : new Int32Array(memory);

/** Posts to the pool; with `maxMemory`, first records the heap used, which the pool reads with the results. */
const send =
  heap === undefined
    ? (message: WorkerMessage, transfer?: readonly TransferListItem[]) => port.postMessage(message, transfer)
    : (message: WorkerMessage, transfer?: readonly TransferListItem[]) => {
        if (message[0] === MSG_RESULTS)
          Atomics.store(heap, 0, Math.ceil(getHeapStatistics().used_heap_size / 1024));
        port.postMessage(message, transfer);
      };
const exit = process.exit.bind(process);

// Bound at load, like everything the loop uses: a task may replace `process` or its streams.
const { stdout, stderr } = process;
const write = stdout.write as (this: NodeJS.WriteStream, chunk: string, callback: () => void) => boolean;

/** Longest wait (ms) for output to be acknowledged: a stream a task corked must not hold results forever. */
const OUTPUT_WAIT_MS = 1000;

/**
 * A thread's console output travels to the parent over Node's own stdio channel, not `port`: a result sent
 * while some of it is unacknowledged could settle the task (and end the app) before the parent wrote it.
 * An empty write resolves once everything written before it has reached the parent.
 */
const written = (stream: NodeJS.WriteStream): Promise<void> | undefined =>
  // An ended or destroyed stream takes no more writes (a write would raise an error in the thread).
  stream.writableLength === 0 || stream.writableEnded || stream.destroyed
    ? undefined
    : new Promise((resolve) => {
        const timer = setTimeout(resolve, OUTPUT_WAIT_MS);
        write.call(stream, '', () => {
          clearTimeout(timer);
          resolve();
        });
      });

/** Runs the initializer (if any), then serves tasks; a failing initializer reports its error and exits. */
async function start() {
  if (initializer !== 0) {
    try {
      await invokeRemote(initializer, initArgs);
    } catch (error) {
      // Tasks sent meanwhile wait in `port` and go to another thread: this one never serves.
      parentPort!.postMessage([INIT_FAILED, serializeError(error)]);
      exit(INIT_FAILED_EXIT_CODE);
      return;
    }
  }
  serve();
}

/** Stopped gracefully (the thread is idle): run the teardown, then exit. */
parentPort!.on('message', async (message: unknown) => {
  if (message !== STOP) return;
  let code = 0;
  if (teardown !== 0) {
    try {
      await invokeRemote(teardown, []);
    } catch (error) {
      code = 1;
      process.emitWarning(`The pool's teardown threw in a thread: ${(error as Error)?.stack ?? error}`, {
        code: 'ERR_X_TEARDOWN_FAILED',
      });
    }
  }
  exit(code);
});
// The parent port must not keep an idle thread alive on its own account (the executor's port decides).
parentPort!.unref();

function serve() {
  serveWorker({
    send,
    onMessage: (listener) => port.on('message', listener),
    receiveSync: () => receiveMessageOnPort(port)?.message as MainMessage | undefined,
    state: new Int32Array(state),
    outputPending: () => {
      const out = written(stdout);
      const err = written(stderr);
      if (out === undefined) return err;
      return err === undefined ? out : Promise.all([out, err]).then(() => undefined);
    },
  });
}

void start();
