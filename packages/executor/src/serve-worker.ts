import type { TransferListItem } from 'node:worker_threads';
import { spinCanPay } from '@x/internal';
import { invokeRemote, resolveRemote } from './invoke-remote.js';
import type { RemoteRef } from './remote-function.js';
import { ResultOutbox } from './result-outbox.js';
import { serializeError } from './serialize-error.js';
import { StreamDriver, type StreamHost } from './stream-driver.js';
import { TaskScope } from './task-signal.js';
import { isTransfer, transferablesOf } from './transfer.js';
import {
  IDLE_WAIT_MS,
  type MainMessage,
  MSG_CANCEL,
  MSG_PULL,
  MSG_READY,
  MSG_RUN,
  SLOW_TASK_MICROS,
  STATE_CANCEL_PENDING,
  STATE_MAIL,
  STATE_RESULTS,
  STATE_RUNNING,
  STATE_SLEEPING,
  STATE_STARTED,
  TASK_STREAM,
  TASK_TRANSFER_RESULT,
  type WorkerMessage,
} from './transport.js';

/**
 * The worker's end of a transport: how `serveWorker` talks to the scheduler. A thread entry passes
 * `parentPort`, a child process entry `process.send` / `process.on('message')`.
 */
export interface WorkerChannel {
  /**
   * Posts one message to the scheduler, moving the `transfer` list where the channel can (threads); a channel
   * that cannot (a child process's IPC) ignores it and copies.
   */
  send(message: WorkerMessage, transfer?: readonly TransferListItem[]): void;
  /** Subscribes to messages from the scheduler. */
  onMessage(listener: (message: MainMessage) => void): void;
  /**
   * Takes the next pending message synchronously, or undefined (threads: `receiveMessageOnPort`). Lets a
   * worker busy with a batch see a cancellation before starting the next task.
   */
  receiveSync?(): MainMessage | undefined;
  /** The shared state the transport created (threads only); see `STATE_*`. */
  state?: Int32Array;
  /**
   * True once the scheduler shut down with `cancelPending` (see `Transport.cancelUnstarted`). Read right before
   * each task's function is called: a task not started by then is answered as cancelled and never starts.
   * Threads need not pass it (`state` carries the flag).
   */
  cancelPending?(): boolean;
  /**
   * Output the worker wrote that has not reached the scheduler's side yet: a promise that resolves once it
   * has, or undefined when none is pending. Results wait for it, so a task's output is written before its
   * result settles (a thread's `console.log` travels to the parent over a channel of its own, and a result
   * overtaking it would let the process exit before the output is written).
   */
  outputPending?(): Promise<void> | undefined;
}

/**
 * How long (ms) an idle worker polls for the next task before blocking in `Atomics.wait`: long enough to
 * cover the main thread's turn-around between one awaited task and the next, so that task needs no wake-up.
 * Only where the process may use more than one CPU: on one, the thread that sends the next task can only run
 * once this one stops or is preempted (pinned to one CPU, one tiny task at a time: mean 43-51 µs and p99 250-280
 * polling, 30-31 and 78-85 not; the median 22 against 25-27).
 */
const SPIN_MS = 0.2;

/**
 * How long (µs) a settled task's result may wait for the results of the tasks after it, so that results ready
 * at about the same moment travel in one message. A task is started while results wait only if its function's
 * last run took less than this; any other task (a slow or new function) first sends them.
 */
const HOLD_MICROS = 100;

// Bound at load: a task may replace `globalThis.performance` without breaking the loop.
const now = performance.now.bind(performance);

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';

/**
 * Runs the worker side of the executor protocol on `channel`: executes tasks in the order sent (async ones
 * overlapping), sends each result when its task settles (batching those ready together), answers
 * cancellations, never starts a task after the scheduler shut down with `cancelPending`, and turns a result
 * that cannot be cloned into a `DataCloneError` for that task only. Call it once in a worker's entry script.
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
  /** Microseconds the last run of each function held the worker synchronously. */
  const lastMicros: number[] = [];
  let pumping = false;
  let mailSeen = 0;

  const fast = state !== undefined && channel.receiveSync !== undefined;
  // Read when serving starts (after the pool's initializer): see SPIN_MS.
  const spinMs = spinCanPay() ? SPIN_MS : 0;
  const cancelPending =
    channel.cancelPending ??
    (state === undefined ? () => false : () => Atomics.load(state, STATE_CANCEL_PENDING) !== 0);
  const send = (message: WorkerMessage, transfer?: readonly TransferListItem[]) => {
    channel.send(message, transfer);
    if (fast) {
      Atomics.add(state, STATE_RESULTS, 1);
      Atomics.notify(state, STATE_RESULTS);
    }
  };
  const outbox = new ResultOutbox(
    send,
    channel.outputPending,
    // The pump paused rather than start a task while results waited for output: resume it.
    () => {
      if (inboxHead < inbox.length) pump();
    },
  );
  const push = (id: number, value: unknown) => outbox.push(id, value);
  const flush = outbox.flush;
  /** Queues a fulfilled task's result, moving its buffers when asked (`transfer()`, `transferResult`). */
  const pushValue = (id: number, value: unknown, flags: number) => {
    if (isTransfer(value)) outbox.push(id, value.value, value.transferList);
    else if ((flags & TASK_TRANSFER_RESULT) !== 0) outbox.push(id, value, transferablesOf(value));
    else outbox.push(id, value);
  };
  /** The signals of running tasks (`taskSignal()`). */
  const scope = new TaskScope(running);
  /** Streaming tasks that have started and not settled. */
  const streams = new Map<number, StreamDriver>();
  const streamHost: StreamHost = {
    send,
    scope,
    poll: () => pollMail(),
    waitForMail: () => waitForMail(),
    running: (id) => {
      if (state !== undefined) Atomics.store(state, STATE_RUNNING, id);
    },
    settle: (id, value) => {
      const flags = streams.get(Math.abs(id))?.transferResult ? TASK_TRANSFER_RESULT : 0;
      streams.delete(Math.abs(id));
      settleLater(id, id > 0 ? value : serializeError(value), flags);
    },
    closed: (id) => {
      streams.delete(id);
      scope.done(id);
      if (!running.delete(id)) return;
      push(-id, 0);
      outbox.queueFlush();
    },
  };

  /** Blocks briefly for the next message when idle; true if one arrived (then the inbox has work). */
  const idleWait = (): boolean => {
    // Waiting for output needs the event loop (the parent's acknowledgement arrives there).
    if (!fast || running.size > 0 || outbox.waitingForOutput) return false;
    const start = now();
    const deadline = start + IDLE_WAIT_MS;
    // Spin a few microseconds first: a task sent meanwhile then needs no futex wake-up at all.
    const spinUntil = start + spinMs;
    while (now() < spinUntil) {
      if (Atomics.load(state, STATE_MAIL) !== mailSeen) {
        checkMail();
        if (inboxHead < inbox.length) return true;
      }
    }
    Atomics.store(state, STATE_SLEEPING, 1);
    try {
      for (;;) {
        const left = deadline - now();
        if (left <= 0) return false;
        Atomics.wait(state, STATE_MAIL, mailSeen, left);
        checkMail();
        if (inboxHead < inbox.length) return true;
        if (!outbox.empty) flush(); // a cancellation was answered
      }
    } finally {
      Atomics.store(state, STATE_SLEEPING, 0);
    }
  };

  const settleLater = (id: number, value: unknown, flags: number) => {
    if (scope.used) scope.done(Math.abs(id));
    if (!running.delete(Math.abs(id))) return; // cancelled meanwhile: its answer was already sent
    if (id > 0) pushValue(id, value, flags);
    else push(id, value);
    outbox.queueFlush();
  };

  const receive = (message: MainMessage) => {
    if (message[0] === MSG_RUN) {
      inbox.push(message);
      return;
    }
    if (message[0] === MSG_PULL) {
      streams.get(message[1] as number)?.pull(message[2] as number);
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
      if (!running.has(id)) {
        cancelled.add(id);
        continue;
      }
      scope.abort(id);
      // A stream answers once its generator's `finally` has run (StreamHost.closed).
      const stream = streams.get(id);
      if (stream !== undefined) {
        stream.close();
        continue;
      }
      // An async task still running: answer now and drop its result when it comes. Its signal stays (aborted) until
      // it settles: code it left running after an await still sees that it was cancelled.
      running.delete(id);
      push(-id, 0);
    }
  };

  const checkMail = () => {
    if (state === undefined || channel.receiveSync === undefined) return;
    const mail = Atomics.load(state, STATE_MAIL);
    if (mail === mailSeen) return;
    mailSeen = mail;
    for (let m = channel.receiveSync(); m !== undefined; m = channel.receiveSync()) receive(m);
  };

  /** Reads mail synchronously outside the pump (a stream between values); tasks it brought are pumped soon. */
  const pollMail = () => {
    checkMail();
    if (inboxHead < inbox.length && !pumping) queueMicrotask(pump);
  };

  /**
   * A stream out of credit, alone in this worker: waits briefly for mail (its credit) without a trip through the
   * event loop, as an idle worker waits for tasks. True if mail came.
   */
  const waitForMail = (): boolean => {
    if (!fast || running.size !== 1 || outbox.waitingForOutput) return false;
    const seen = mailSeen;
    const deadline = now() + IDLE_WAIT_MS;
    const spinUntil = now() + spinMs;
    while (now() < spinUntil) {
      if (Atomics.load(state, STATE_MAIL) !== seen) {
        pollMail();
        return true;
      }
    }
    Atomics.store(state, STATE_SLEEPING, 1);
    try {
      const left = deadline - now();
      if (left > 0) Atomics.wait(state, STATE_MAIL, seen, left);
    } finally {
      Atomics.store(state, STATE_SLEEPING, 0);
    }
    pollMail();
    return mailSeen !== seen;
  };

  const runOne = (id: number, fid: number, args: unknown[], options: 0 | number[]) => {
    if (state !== undefined) Atomics.add(state, STATE_STARTED, 1);
    // Shut down with cancelPending: this task had not started when the pool was told to, so it never does.
    if (cancelPending()) {
      cancelled.delete(id);
      push(-id, 0);
      return;
    }
    if (cancelled.size > 0) {
      if (cancelled.delete(id)) {
        push(-id, 0);
        return;
      }
      // Ids reach a worker in increasing order: a cancellation for an older id answered a task that had
      // already finished, and will never be needed.
      if (cancelled.size > 64) for (const old of cancelled) if (old < id) cancelled.delete(old);
    }
    if (state !== undefined) Atomics.store(state, STATE_RUNNING, id);
    const t0 = now();
    let result: unknown;
    scope.current = id;
    try {
      const ref = refs[fid]!;
      if (warm[fid] !== true) result = invokeFirst(id, ref, args);
      else
        result =
          scope.als === undefined ? invokeRemote(ref, args) : scope.als.run(id, invokeRemote, ref, args);
    } catch (error) {
      result = error;
      id = -id;
    }
    scope.current = 0;
    if (state !== undefined) Atomics.store(state, STATE_RUNNING, 0);
    const micros = (now() - t0) * 1000;
    // The first run of a function includes compiling or importing it: not a sign of a slow function.
    if (micros > SLOW_TASK_MICROS && warm[fid] === true) outbox.slow(fid, micros);
    warm[fid] = true;
    lastMicros[fid] = micros;
    const flags = options === 0 ? 0 : options[1]!;
    if (id < 0) {
      if (scope.used) scope.done(-id);
      push(id, serializeError(result));
    } else if ((flags & TASK_STREAM) !== 0) {
      const driver = new StreamDriver(
        id,
        options === 0 ? 1 : options[2]!,
        (flags & TASK_TRANSFER_RESULT) !== 0,
        streamHost,
      );
      running.add(id);
      streams.set(id, driver);
      void driver.run(result);
    } else if (isThenable(result)) {
      running.add(id);
      result.then(
        (value) => settleLater(id, value, flags),
        (error: unknown) => settleLater(-id, serializeError(error), flags),
      );
    } else {
      if (scope.used) scope.done(id);
      pushValue(id, result, flags);
    }
  };

  /** A function's first run: its module may still be loading, and the call that follows is part of task `id`. */
  const invokeFirst = (id: number, ref: RemoteRef, args: unknown[]): unknown => {
    const fn = resolveRemote(ref);
    if (typeof fn !== 'function') return fn.then(() => scope.run(id, invokeRemote, ref.key, args));
    return scope.als === undefined ? invokeRemote(ref, args) : scope.als.run(id, invokeRemote, ref, args);
  };

  /** The function's last run took under HOLD_MICROS: the next one is expected to be quick too. */
  const quick = (fid: number) => {
    const last = lastMicros[fid];
    return last !== undefined && last < HOLD_MICROS;
  };

  /**
   * Before starting a task: sends the results in the outbox unless the task is expected to be quick and they
   * have waited less than HOLD_MICROS. A finished task's result is never held back for work that may take long
   * (its batch-mates in a message), only batched with results ready at about the same moment. Returns false
   * when the task must not start yet: results wait for output to reach the parent, which needs the event loop
   * (the pump resumes once they are sent).
   */
  const beforeTask = (fid: number): boolean => {
    if (!outbox.empty && (!quick(fid) || outbox.age() >= HOLD_MICROS)) flush();
    return !outbox.waitingForOutput || quick(fid);
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
            // A number, or [fid, flags, highWaterMark] for a task with options (see MSG_RUN).
            const task = message[cursor + 1] as number | number[];
            const options = typeof task === 'number' ? 0 : task;
            const fid = options === 0 ? (task as number) : options[0]!;
            const argc = message[cursor + 2] as number;
            if (!beforeTask(fid)) return; // paused: resumed by flush once the held results are sent
            const start = cursor + 3;
            cursor = start + argc;
            runOne(id, fid, message.slice(start, cursor), options);
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
