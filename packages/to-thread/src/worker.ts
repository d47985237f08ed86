// The entry script of every thread of a ThreadPool (built to dist/worker.js).
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type MainMessage, serveWorker } from '@x/executor/worker';

const { port, state } = workerData as { port: MessagePort; state: SharedArrayBuffer };
serveWorker({
  send: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', listener),
  receiveSync: () => receiveMessageOnPort(port)?.message as MainMessage | undefined,
  state: new Int32Array(state),
});
