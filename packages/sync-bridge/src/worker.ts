/**
 * The bridge worker's entry (built to dist/worker.js). It runs the calls and streams a caller thread sends,
 * on its own event loop. When it has nothing in flight it blocks in `Atomics.wait` on the control array
 * instead of sleeping in its event loop: waking a blocked thread costs a few microseconds, waking an
 * event loop through a MessagePort costs tens of them, and that wake-up is most of a trivial call.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { cloneError, DataCloneError, invokeRemote, serializeError } from '@x/executor/worker';
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
} from './protocol.js';
import { AdaptiveSpin } from './spin.js';

const { control, port, watch } = workerData as BridgeWorkerData;
(globalThis as Record<symbol, unknown>)[IN_BRIDGE_WORKER] = true;
// The watchdog thread holds the other end: when this thread dies, however it dies, its 'close' fires there.
watch.unref();

/** How long to spin before blocking once work has finished (the next call often follows at once). */
const spinner = new AdaptiveSpin(Number(process.env.SB_SPIN_W ?? 0.05));
/** While idle, let the event loop run this often so timers and sockets of earlier calls make progress. */
const IDLE_SLICE_MS = 50;
/** A pending chunk older than this is flushed even while the producer keeps producing synchronously. */
const MAX_BATCH_AGE_MS = 1;

function post(message: FromWorker): void {
  port.postMessage(message);
  Atomics.add(control, RESP, 1);
  Atomics.notify(control, RESP);
}

/** The DataCloneError naming `position` for a value postMessage refused (other errors pass through). */
function cloneFailure(value: unknown, position: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'DataCloneError') return error;
  return cloneError(value, position) ?? new DataCloneError(position, error.message, { cause: error });
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
  inIdle = true;
  try {
    for (;;) {
      const seen = Atomics.load(control, REQ);
      let received = false;
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        handle(m.message as ToWorker);
        received = true;
      }
      if (running > 0) return;
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
      const producer = new Producer(message.id, message.credit);
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

function settle(id: number, ok: boolean, value: unknown): void {
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

// --- streams --------------------------------------------------------------------------------------------

const streams = new Map<number, Producer>();

function iteratorOf(value: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  const v = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: unknown };
  if (v != null && typeof v[Symbol.asyncIterator] === 'function') return v[Symbol.asyncIterator]!();
  if (v != null && typeof v[Symbol.iterator] === 'function' && typeof v !== 'string') {
    return (v[Symbol.iterator] as () => Iterator<unknown>)();
  }
  throw new TypeError(
    `The function given to runSyncStream() must return an async iterable (an async generator, a ReadableStream, an SDK stream); it returned ${value === null ? 'null' : typeof value}.`,
  );
}

class Producer {
  #pending: unknown[] = [];
  #pendingSince = 0;
  #sent = 0;
  #flushScheduled = false;
  #cancelled = false;
  /** The consumer already received an error for this stream: close quietly. */
  #failed = false;
  #wake: (() => void) | undefined;
  #onCancel: (() => void) | undefined;
  #cancelledPromise = new Promise<undefined>((resolve) => {
    this.#onCancel = () => resolve(undefined);
  });
  #iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;

  constructor(
    readonly id: number,
    private credit: number,
  ) {}

  grant(n: number): void {
    this.credit += n;
    this.#resume();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#onCancel?.();
    this.#resume();
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake) {
      started();
      wake();
    }
  }

  /** Sends the pending chunks now, with the end of the stream when `end` is given. */
  #flush(end = false): void {
    const chunks = this.#pending;
    this.#pending = [];
    try {
      post(end ? { t: 'chunks', id: this.id, chunks, end } : { t: 'chunks', id: this.id, chunks });
      this.#sent += chunks.length;
    } catch (error) {
      // Send the chunks before the one that cannot be cloned, then fail the stream there.
      let bad = chunks.findIndex((chunk, i) => cloneError(chunk, `chunk ${i}`) !== undefined);
      if (bad < 0) bad = 0;
      const failure = cloneFailure(chunks[bad], `chunk ${this.#sent + bad + 1} of the stream`, error);
      post({ t: 'chunks', id: this.id, chunks: chunks.slice(0, bad), error: serializeError(failure) });
      this.#failed = true;
      this.cancel();
    }
  }

  #fail(error: unknown): void {
    this.#failed = true;
    post({ t: 'chunks', id: this.id, chunks: this.#pending, error: serializeError(error) });
    this.#pending = [];
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#pending.length > 0 && !this.#cancelled) this.#flush();
    });
  }

  async #next(): Promise<IteratorResult<unknown> | undefined> {
    const next = this.#iterator!.next();
    if (!(next instanceof Promise)) return next;
    // Race the cancellation so that a consumer leaving early does not wait for a slow next chunk.
    const step = await Promise.race([next, this.#cancelledPromise]);
    if (step === undefined) next.catch(() => {});
    return step;
  }

  async pump({ ref, args }: { ref: Parameters<typeof invokeRemote>[0]; args: unknown[] }): Promise<void> {
    started();
    try {
      this.#iterator = iteratorOf(await invokeRemote(ref, args));
      while (!this.#cancelled) {
        if (this.credit <= 0) {
          if (this.#pending.length > 0) this.#flush();
          if (this.#cancelled) break;
          // Paused until the consumer takes some chunks: this stream no longer keeps the loop busy.
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            finished();
          });
          continue;
        }
        const step = await this.#next();
        if (step === undefined || this.#cancelled) break;
        if (step.done) {
          this.#flush(true);
          return;
        }
        this.credit--;
        if (this.#pending.length === 0) this.#pendingSince = performance.now();
        this.#pending.push(step.value);
        // The first chunk goes at once (time to first chunk); later ones are batched per wake-up.
        if (
          this.#sent === 0 ||
          this.credit === 0 ||
          performance.now() - this.#pendingSince > MAX_BATCH_AGE_MS
        ) {
          this.#flush();
        } else {
          this.#scheduleFlush();
        }
      }
      await this.#close();
    } catch (error) {
      if (this.#cancelled) await this.#close(error);
      else {
        this.#fail(error);
        await this.#close();
      }
    } finally {
      streams.delete(this.id);
      finished();
    }
  }

  /** Runs the iterator's `return()` (the producer's `finally`) and acknowledges a cancel. */
  async #close(earlier?: unknown): Promise<void> {
    let error = earlier;
    try {
      await this.#iterator?.return?.();
    } catch (e) {
      error ??= e;
    }
    if (this.#failed) return;
    post(
      error === undefined
        ? { t: 'closed', id: this.id }
        : { t: 'closed', id: this.id, error: serializeError(error) },
    );
  }
}

// --- start ----------------------------------------------------------------------------------------------

port.on('message', (message: ToWorker) => handle(message));
Atomics.store(control, STATE, STATE_READY);
Atomics.add(control, RESP, 1);
Atomics.notify(control, RESP);
idle(true);

export type { MessagePort };
