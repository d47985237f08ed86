/**
 * The bridge worker's entry (built to dist/worker.cjs). It runs the calls and streams a caller thread sends,
 * on its own event loop. When it has nothing in flight it blocks in `Atomics.wait` on the control array
 * instead of sleeping in its event loop: waking a blocked thread costs a few microseconds, waking an
 * event loop through a MessagePort costs tens of them, and that wake-up is most of a trivial call.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { invokeRemote, serializeError } from '@x/executor/worker';
import { cloneFailure, Producer } from './producer.js';
import {
  type BridgeWorkerData,
  EXIT_CODE,
  type FromWorker,
  HAS_EXIT_CODE,
  IN_BRIDGE_WORKER,
  REQ,
  RESP,
  STATE,
  STATE_READY,
  type ToWorker,
  WAS_READY,
} from './protocol.js';
import { AdaptiveSpin } from './spin.js';
import { UnsettledCallError } from './unsettled-error.js';

const { control, port, watch, spinMs } = workerData as BridgeWorkerData;
(globalThis as Record<symbol, unknown>)[IN_BRIDGE_WORKER] = true;
// The watchdog thread holds the other end: when this thread dies, however it dies, its 'close' fires there.
watch.unref();

/** How long to spin before blocking once work has finished (the next call often follows at once). */
const spinner = new AdaptiveSpin(spinMs);
/** While idle, let the event loop run this often so timers and sockets of earlier calls make progress. */
const IDLE_SLICE_MS = 50;

function post(message: FromWorker): void {
  port.postMessage(message);
  Atomics.add(control, RESP, 1);
  Atomics.notify(control, RESP);
}

// Output is forwarded over the same port as results, so the caller writes it in order, before the result
// it preceded; Node's own worker stdio would deliver it later through the caller's blocked event loop.
function forwardOutput(fd: 1 | 2, stream: NodeJS.WriteStream): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    const cb = typeof encoding === 'function' ? encoding : callback;
    let data: string | Uint8Array;
    if (typeof chunk === 'string') {
      data =
        typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8'
          ? Uint8Array.from(Buffer.from(chunk, encoding as BufferEncoding))
          : chunk;
    } else {
      data = Uint8Array.from(chunk);
    }
    post({ t: 'out', fd, data });
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return true;
  }) as typeof stream.write;
}
forwardOutput(1, process.stdout);
forwardOutput(2, process.stderr);

process.on('exit', (code) => {
  Atomics.store(control, EXIT_CODE, code);
  Atomics.store(control, HAS_EXIT_CODE, 1);
  Atomics.add(control, RESP, 1);
  Atomics.notify(control, RESP);
});
process.on('uncaughtExceptionMonitor', (error) => {
  try {
    post({ t: 'fatal', error: serializeError(error) });
  } catch {
    // The caller still learns of the death through the exit code and the watchdog.
  }
});

// --- scheduling: block while nothing runs, run the event loop while something does ---------------------

let running = 0;
let inIdle = false;
let idleScheduled = false;

const worker = {
  post,
  started,
  finished,
  /** Called once a stream is over, whatever ended it. */
  done: (id: number) => streams.delete(id),
};

function started(): void {
  running++;
}

function finished(): void {
  running--;
  if (running === 0 && !inIdle && !idleScheduled) {
    idleScheduled = true;
    setImmediate(idle, true);
  }
}

function idle(spin: boolean): void {
  idleScheduled = false;
  // A call arrived through the port's 'message' event after this turn was scheduled: the worker is busy, and
  // blocking here (then rescheduling) would keep its event loop from ever emptying, so an unsettled call would
  // never be reported. finished() schedules the idle wait again once nothing runs.
  if (running > 0) return;
  inIdle = true;
  try {
    for (;;) {
      const seen = Atomics.load(control, REQ);
      let received = false;
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        handle(m.message as ToWorker);
        // Let the work run now; messages behind it arrive through the port's 'message' event.
        if (running > 0) return;
        received = true;
      }
      if (received) continue;
      if (spin && spinner.spin(control, REQ, seen)) continue;
      if (Atomics.wait(control, REQ, seen, IDLE_SLICE_MS) === 'timed-out') {
        idleScheduled = true;
        setImmediate(idle, false);
        return;
      }
      spin = true;
    }
  } finally {
    inIdle = false;
  }
}

function handle(message: ToWorker): void {
  switch (message.t) {
    case 'call':
      call(message.id, message);
      return;
    case 'stream': {
      const producer = new Producer(message.id, message.credit, worker);
      streams.set(message.id, producer);
      void producer.pump(message);
      return;
    }
    case 'credit':
      streams.get(message.id)?.grant(message.n);
      return;
    case 'cancel': {
      const producer = streams.get(message.id);
      if (producer) producer.cancel();
      // Already finished: its last batch is on its way, nothing is left to close.
      else post({ t: 'closed', id: message.id });
    }
  }
}

// --- calls ----------------------------------------------------------------------------------------------

/**
 * Calls in flight. Their caller is blocked waiting for them, and it is the only thread that sends on this
 * port (a stream's credit and cancel come from the same caller), so nothing can arrive meanwhile: the port
 * is unref'd then, and if the event loop runs out of everything else ('beforeExit': the rule by which Node
 * itself would exit), no pending call can ever settle: each is answered with UnsettledCallError instead of
 * leaving its caller blocked forever.
 */
const calls = new Set<number>();

process.on('beforeExit', () => {
  if (calls.size === 0) return;
  for (const id of [...calls]) settle(id, false, new UnsettledCallError());
});

function settle(id: number, ok: boolean, value: unknown): void {
  if (!calls.delete(id)) return; // already answered as unsettled
  if (calls.size === 0) port.ref();
  if (ok) {
    try {
      post({ t: 'ok', id, value });
    } catch (error) {
      post({ t: 'err', id, error: serializeError(cloneFailure(value, 'the result', error)) });
    }
  } else {
    post({ t: 'err', id, error: serializeError(value) });
  }
  finished();
}

function call(id: number, { ref, args }: { ref: Parameters<typeof invokeRemote>[0]; args: unknown[] }): void {
  started();
  if (calls.size === 0) port.unref();
  calls.add(id);
  let result: unknown;
  try {
    result = invokeRemote(ref, args);
  } catch (error) {
    settle(id, false, error);
    return;
  }
  if (result !== null && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    (result as PromiseLike<unknown>).then(
      (value) => settle(id, true, value),
      (error: unknown) => settle(id, false, error),
    );
  } else {
    settle(id, true, result);
  }
}

// --- streams: see producer.ts ---------------------------------------------------------------------------

const streams = new Map<number, Producer>();

// --- start ----------------------------------------------------------------------------------------------

port.on('message', (message: ToWorker) => handle(message));
Atomics.store(control, WAS_READY, 1);
Atomics.store(control, STATE, STATE_READY);
Atomics.add(control, RESP, 1);
Atomics.notify(control, RESP);
idle(true);
