import { cloneError } from './clone.js';
import { DataCloneError } from './errors.js';
import { invokeRemote } from './invoke-remote.js';
import type { RemoteRef } from './remote-function.js';
import { type SerializedError, serializeError } from './serialize-error.js';
import {
  IDLE_WAIT_MS,
  type MainMessage,
  MSG_CANCEL,
  MSG_READY,
  MSG_RESULTS,
  MSG_RUN,
  SLOW_TASK_MICROS,
  STATE_MAIL,
  STATE_RESULTS,
  STATE_RUNNING,
  STATE_SLEEPING,
  STATE_STARTED,
  type WorkerMessage,
} from './transport.js';

/**
 * The worker's end of a transport: how `serveWorker` talks to the scheduler. A thread entry passes
 * `parentPort`, a child process entry `process.send` / `process.on('message')`.
 */
export interface WorkerChannel {
  /** Posts one message to the scheduler. */
  send(message: WorkerMessage): void;
  /** Subscribes to messages from the scheduler. */
  onMessage(listener: (message: MainMessage) => void): void;
  /**
   * Takes the next pending message synchronously, or undefined (threads: `receiveMessageOnPort`). Lets a
   * worker busy with a batch see a cancellation before starting the next task.
   */
  receiveSync?(): MainMessage | undefined;
  /** The shared state the transport created (threads only); see `STATE_*`. */
  state?: Int32Array;
}

/**
 * How long (ms) an idle worker polls for the next task before blocking in `Atomics.wait`: long enough to
 * cover the main thread's turn-around between one awaited task and the next, so that task needs no wake-up.
 */
const SPIN_MS = 0.2;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';

/**
 * Runs the worker side of the executor protocol on `channel`: executes tasks in the order sent (async ones
 * overlapping), sends results back in batches, answers cancellations, and turns a result that cannot be
 * cloned into a `DataCloneError` for that task only. Call it once in a worker's entry script.
 *
 * @example
 * ```ts
 * import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
 * import { serveWorker } from '@x/executor/worker';
 * serveWorker({ send: (m) => parentPort!.postMessage(m), onMessage: (l) => parentPort!.on('message', l),
 *   receiveSync: () => receiveMessageOnPort(parentPort!)?.message });
 * ```
 * Python's counterpart is the `_process_worker` loop of `concurrent.futures.process`.
 */
export function serveWorker(channel: WorkerChannel): void {
  const { state } = channel;
  const refs: RemoteRef[] = [];
  const warm: boolean[] = [];
  const inbox: MainMessage[] = [];
  let inboxHead = 0;
  let cursor = 2;
  const running = new Set<number>();
  const cancelled = new Set<number>();
  let out: unknown[] = [MSG_RESULTS, 0];
  let slow: number[] | undefined;
  let flushQueued = false;
  let pumping = false;
  let mailSeen = 0;

  const fast = state !== undefined && channel.receiveSync !== undefined;
  const send = (message: WorkerMessage) => {
    channel.send(message);
    if (fast) {
      Atomics.add(state, STATE_RESULTS, 1);
      Atomics.notify(state, STATE_RESULTS);
    }
  };

  /** Blocks briefly for the next message when idle; true if one arrived (then the inbox has work). */
  const idleWait = (): boolean => {
    if (!fast || running.size > 0) return false;
    const start = performance.now();
    const deadline = start + IDLE_WAIT_MS;
    // Spin a few microseconds first: a task sent meanwhile then needs no futex wake-up at all.
    const spinUntil = start + SPIN_MS;
    while (performance.now() < spinUntil) {
      if (Atomics.load(state, STATE_MAIL) !== mailSeen) {
        checkMail();
        if (inboxHead < inbox.length) return true;
      }
    }
    Atomics.store(state, STATE_SLEEPING, 1);
    try {
      for (;;) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        Atomics.wait(state, STATE_MAIL, mailSeen, left);
        checkMail();
        if (inboxHead < inbox.length) return true;
        if (out.length > 2) flush(); // a cancellation was answered
      }
    } finally {
      Atomics.store(state, STATE_SLEEPING, 0);
    }
  };

  const flush = () => {
    flushQueued = false;
    if (out.length === 2) return;
    const message = out;
    if (slow !== undefined) message[1] = slow;
    out = [MSG_RESULTS, 0];
    slow = undefined;
    try {
      send(message);
    } catch {
      // A result could not be cloned: replace each such result by its error, then send the batch.
      for (let i = 2; i < message.length; i += 2) {
        if ((message[i] as number) < 0) continue;
        const error = cloneError(message[i + 1], 'the result');
        if (error) {
          message[i] = -(message[i] as number);
          message[i + 1] = serializeError(error);
        }
      }
      try {
        send(message);
      } catch {
        // Still refused: a value only the channel itself rejects (a child process's IPC refuses a
        // SharedArrayBuffer that structured clone accepts). Send the results one by one, so that only
        // those at fault fail; a send that throws has sent nothing.
        sendEach(message);
      }
    }
  };

  const sendEach = (message: WorkerMessage) => {
    let slowInfo = message[1];
    for (let i = 2; i < message.length; i += 2) {
      const id = message[i] as number;
      try {
        send([MSG_RESULTS, slowInfo, id, message[i + 1]]);
      } catch (error) {
        send([
          MSG_RESULTS,
          slowInfo,
          id > 0 ? -id : id,
          id > 0 ? serializeError(resultError(error)) : bareError(message[i + 1] as SerializedError),
        ]);
      }
      slowInfo = 0;
    }
  };

  const queueFlush = () => {
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };

  const settleLater = (id: number, value: unknown) => {
    if (!running.delete(Math.abs(id))) return; // cancelled meanwhile: its answer was already sent
    out.push(id, value);
    queueFlush();
  };

  const receive = (message: MainMessage) => {
    if (message[0] === MSG_RUN) {
      inbox.push(message);
      return;
    }
    if (message[0] !== MSG_CANCEL) return;
    for (let i = 1; i < message.length; i++) {
      const id = message[i] as number;
      // A negative id: drop the task only if it has not started (shutdown with cancelPending).
      if (id < 0) {
        if (!running.has(-id)) cancelled.add(-id);
        continue;
      }
      // An async task still running: answer now and drop its result when it comes.
      if (running.delete(id)) out.push(-id, 0);
      else cancelled.add(id);
    }
  };

  const checkMail = () => {
    if (state === undefined || channel.receiveSync === undefined) return;
    const mail = Atomics.load(state, STATE_MAIL);
    if (mail === mailSeen) return;
    mailSeen = mail;
    for (let m = channel.receiveSync(); m !== undefined; m = channel.receiveSync()) receive(m);
  };

  const runOne = (id: number, fid: number, args: unknown[]) => {
    if (state !== undefined) Atomics.add(state, STATE_STARTED, 1);
    if (cancelled.size > 0) {
      if (cancelled.delete(id)) {
        out.push(-id, 0);
        return;
      }
      // Ids reach a worker in increasing order: a cancellation for an older id answered a task that had
      // already finished, and will never be needed.
      if (cancelled.size > 64) for (const old of cancelled) if (old < id) cancelled.delete(old);
    }
    if (state !== undefined) Atomics.store(state, STATE_RUNNING, id);
    const t0 = performance.now();
    let result: unknown;
    try {
      result = invokeRemote(refs[fid]!, args);
    } catch (error) {
      result = error;
      id = -id;
    }
    if (state !== undefined) Atomics.store(state, STATE_RUNNING, 0);
    const micros = (performance.now() - t0) * 1000;
    // The first run of a function includes compiling or importing it: not a sign of a slow function.
    if (micros > SLOW_TASK_MICROS && warm[fid] === true) (slow ??= []).push(fid, Math.round(micros));
    warm[fid] = true;
    if (id < 0) out.push(id, serializeError(result));
    else if (isThenable(result)) {
      running.add(id);
      result.then(
        (value) => settleLater(id, value),
        (error: unknown) => settleLater(-id, serializeError(error)),
      );
    } else out.push(id, result);
  };

  const pump = () => {
    if (pumping) return;
    pumping = true;
    try {
      do {
        while (inboxHead < inbox.length) {
          const message = inbox[inboxHead]!;
          if (cursor === 2) {
            const defs = message[1] as 0 | unknown[];
            if (defs !== 0)
              for (let i = 0; i < defs.length; i += 2) refs[defs[i] as number] = defs[i + 1] as RemoteRef;
          }
          while (cursor < message.length) {
            checkMail();
            const id = message[cursor] as number;
            const fid = message[cursor + 1] as number;
            const argc = message[cursor + 2] as number;
            const start = cursor + 3;
            cursor = start + argc;
            runOne(id, fid, message.slice(start, cursor));
          }
          inbox[inboxHead++] = undefined as never;
          cursor = 2;
        }
        inbox.length = 0;
        inboxHead = 0;
        flush();
      } while (idleWait());
    } finally {
      pumping = false;
    }
  };

  // Before any task can start: a worker that dies from here on was up (its start-up works).
  send([MSG_READY]);
  channel.onMessage((message) => {
    receive(message);
    if (message[0] === MSG_RUN) pump();
    else flush();
  });
}

/** The error of a result the channel refused to send. */
function resultError(error: unknown): DataCloneError {
  if (error instanceof DataCloneError) return error;
  return new DataCloneError(
    'the result',
    `The channel refused it: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
    },
  );
}

/** A task's error without the parts the channel refused (its own properties, cause or errors). */
function bareError(error: SerializedError): SerializedError {
  if (error.kind !== 'error') return { kind: 'value', value: String(error.value) };
  const { kind, base, constructorName, name, message, stack } = error;
  return { kind, base, constructorName, name, message, stack };
}
