// The entry script of every thread of a ThreadPool (built to dist/worker.js).
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type MainMessage, serveWorker } from '@x/executor/worker';

const { port, state } = workerData as { port: MessagePort; state: SharedArrayBuffer };

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

serveWorker({
  send: (message, transfer) => port.postMessage(message, transfer),
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
