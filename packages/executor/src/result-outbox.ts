import type { TransferListItem } from 'node:worker_threads';
import { cloneError } from './clone.js';
import { DataCloneError } from './errors.js';
import { type SerializedError, serializeError } from './serialize-error.js';
import { MSG_RESULTS, type WorkerMessage } from './transport.js';

// Bound at load: a task may replace these globals (`globalThis.performance = ...`) without breaking the loop.
const now = performance.now.bind(performance);
const microtask = queueMicrotask;

/**
 * The results a worker has yet to send (`MSG_RESULTS`), in one batch: results ready at about the same moment
 * share a message; the worker loop decides when to flush (see `serveWorker`). A batch may wait for output the
 * worker wrote before it (`outputPending`), so output reaches the scheduler's side before the results it
 * preceded. A result the channel refuses fails only its own task, with a `DataCloneError`.
 */
export class ResultOutbox {
  #out: unknown[] = [MSG_RESULTS, 0];
  /** What the results waiting move rather than copy (`transfer()`, `transferResult`). */
  #transfer: TransferListItem[] | undefined;
  #since = 0;
  #slow: number[] | undefined;
  #queued = false;
  #waiting = false;
  readonly #send: (message: WorkerMessage, transfer?: readonly TransferListItem[]) => void;
  readonly #outputPending: (() => Promise<void> | undefined) | undefined;
  readonly #onSent: () => void;

  /**
   * @param send posts one message (may throw, having sent nothing).
   * @param outputPending see `WorkerChannel.outputPending`.
   * @param onSent called after a batch that waited for output was sent.
   */
  constructor(
    send: (message: WorkerMessage, transfer?: readonly TransferListItem[]) => void,
    outputPending: (() => Promise<void> | undefined) | undefined,
    onSent: () => void,
  ) {
    this.#send = send;
    this.#outputPending = outputPending;
    this.#onSent = onSent;
  }

  /** No result is waiting. */
  get empty(): boolean {
    return this.#out.length === 2;
  }

  /** A batch is waiting for output to reach the scheduler's side (that needs the event loop). */
  get waitingForOutput(): boolean {
    return this.#waiting;
  }

  /** Microseconds the oldest waiting result has waited. */
  age(): number {
    return (now() - this.#since) * 1000;
  }

  /**
   * Adds a result: `id` > 0 fulfilled with `value`, < 0 failed (`value` a SerializedError, or 0: cancelled).
   * `transfer` lists what of `value` to move instead of copy.
   */
  push(id: number, value: unknown, transfer?: readonly TransferListItem[]): void {
    if (this.#out.length === 2) this.#since = now();
    this.#out.push(id, value);
    if (transfer !== undefined && transfer.length > 0) {
      const list = (this.#transfer ??= []);
      // One buffer listed twice makes postMessage throw: a result may name it twice, or share it with another.
      for (const item of transfer) if (!list.includes(item)) list.push(item);
    }
  }

  /** Reports that a run of function `fid` held the worker for `micros` µs (sent with the next batch). */
  slow(fid: number, micros: number): void {
    (this.#slow ??= []).push(fid, Math.round(micros));
  }

  /** Flushes in a microtask (results of async tasks settling in the same turn share a message). */
  queueFlush(): void {
    if (!this.#queued) {
      this.#queued = true;
      microtask(this.flush);
    }
  }

  /** Sends the waiting results now, or once the output written before them has reached the other side. */
  readonly flush = (): void => {
    this.#queued = false;
    if (this.#out.length === 2 || this.#waiting) return;
    const message = this.#out;
    const transfer = this.#transfer;
    if (this.#slow !== undefined) message[1] = this.#slow;
    this.#out = [MSG_RESULTS, 0];
    this.#slow = undefined;
    this.#transfer = undefined;
    const output = this.#outputPending?.();
    if (output === undefined) {
      this.#deliver(message, transfer);
      return;
    }
    // Only the output written before these results: later results wait for their own (no starvation).
    this.#waiting = true;
    void output.then(() => {
      this.#waiting = false;
      this.#deliver(message, transfer);
      this.flush();
      this.#onSent();
    });
  };

  #deliver(message: WorkerMessage, transfer: TransferListItem[] | undefined): void {
    try {
      this.#send(message, transfer);
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
        this.#send(message, transfer);
      } catch {
        // Still refused: a value only the channel itself rejects (a child process's IPC refuses a
        // SharedArrayBuffer that structured clone accepts), or a transfer list it refuses (a buffer that cannot
        // move). Send the results one by one, copied, so that only those at fault fail; a send that throws has
        // sent nothing.
        this.#sendEach(message);
      }
    }
  }

  #sendEach(message: WorkerMessage): void {
    let slowInfo = message[1];
    for (let i = 2; i < message.length; i += 2) {
      const id = message[i] as number;
      try {
        this.#send([MSG_RESULTS, slowInfo, id, message[i + 1]]);
      } catch (error) {
        this.#send([
          MSG_RESULTS,
          slowInfo,
          id > 0 ? -id : id,
          id > 0 ? serializeError(resultError(error)) : bareError(message[i + 1] as SerializedError),
        ]);
      }
      slowInfo = 0;
    }
  }
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
