import { type MessagePort, Worker } from 'node:worker_threads';
import { RESP, STATE, STATE_DEAD } from './protocol.js';

// A thread whose event loop is never blocked by a caller: it notices a bridge worker's death (the close
// of a port the dead thread held, whatever killed it, out-of-memory included) and wakes the caller
// blocked in Atomics.wait, which cannot see the Worker's 'exit' event while it is blocked.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ port, control }) => {
  port.on('message', () => {});
  port.on('close', () => {
    Atomics.store(control, ${STATE}, ${STATE_DEAD});
    Atomics.add(control, ${RESP}, 1);
    Atomics.notify(control, ${RESP});
  });
});
`;

let watchdog: Worker | undefined;

/**
 * Has the watchdog watch `port`, whose other end a bridge worker holds: when that worker's thread ends,
 * the watchdog marks `control` dead and wakes its caller. If the worker died before this call, the close
 * is already queued on the port and fires as soon as the watchdog listens. One watchdog per calling
 * thread, unref'd.
 */
export function watchForExit(control: Int32Array, port: MessagePort): void {
  if (watchdog === undefined) {
    watchdog = new Worker(SOURCE, { eval: true, name: '@x/sync-bridge watchdog', stdout: false });
    watchdog.unref();
    watchdog.on('error', () => {});
    watchdog.on('exit', () => {
      watchdog = undefined;
    });
  }
  watchdog.postMessage({ port, control }, [port]);
}
