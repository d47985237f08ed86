import type { TransferListItem } from 'node:worker_threads';
import type { AbortSubscription } from '@x/internal';
import type { TaskTraceContext } from './pool-tracing.js';
import type { RemoteRef } from './remote-function.js';
import type { TaskStream } from './stream.js';
import type { Slot } from './worker-slot.js';

/**
 * One task of the pool scheduler, from `submit` to its settlement. Its `state` only moves forward:
 * QUEUED (in the pool's queue) -> ASSIGNED (in a worker's outbox, not sent yet) -> SENT -> DONE; a task whose
 * worker died before starting it goes back to QUEUED.
 */

/** Waiting in the pool's queue. */
export const QUEUED = 0;
/** Given to a worker, waiting in its outbox for the next flush. */
export const ASSIGNED = 1;
/** Posted to its worker. */
export const SENT = 2;
/** Settled: its promise is resolved or rejected. */
export const DONE = 3;

const fids = new Map<string, number>();
/** The small number standing for a function key in messages (same for every worker and pool). */
export const fidOf = (key: string): number => {
  let fid = fids.get(key);
  if (fid === undefined) fids.set(key, (fid = fids.size));
  return fid;
};

let nextId = 1;
/** A task id, unique among live tasks of every pool (ids wrap, staying positive Int32 for the shared state). */
export const takeId = (): number => {
  const id = nextId;
  nextId = nextId >= 0x7fffffff ? 1 : nextId + 1;
  return id;
};

/** A task and what it needs to be sent, cancelled and settled. */
export class Task {
  state = QUEUED;
  readonly fid: number;
  worker: Slot | undefined = undefined;
  /** Position in its worker's send order, for telling started tasks from unstarted ones after a crash. */
  seq = 0;
  abandoned = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  /** Higher runs first (`submit`'s `priority`); FIFO among equals by `order`, set by the queue. */
  priority = 0;
  order = 0;
  /** `submit`'s `runTimeout` (ms from dispatch to its worker), -1 for none, and its timer. */
  runTimeout = -1;
  runTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Its context on the tracing channel, when someone subscribed at submission. */
  trace: TaskTraceContext | undefined = undefined;
  /** `nowMicros()` at submission and at dispatch to its worker (timing on): small integers, kept in the object. */
  submitted = 0;
  sentAt = 0;
  /** The subscription to the caller's `options.signal`, dropped when the task settles. */
  abortSubscription: AbortSubscription | undefined = undefined;
  /** What travels in place of `fid` (see `MSG_RUN`): 0, or `[fid, flags, highWaterMark]` for a task with options. */
  options: 0 | number[] = 0;
  /** The consumer's end of a streaming task (`pool.stream`). */
  stream: TaskStream<unknown> | undefined = undefined;
  /** Called once an abandoned task's worker has answered its cancellation, or is gone. */
  release: (() => void) | undefined = undefined;
  constructor(
    readonly id: number,
    readonly ref: RemoteRef,
    readonly args: unknown[],
    readonly transfer: readonly TransferListItem[] | undefined,
  ) {
    this.fid = fidOf(ref.key);
  }
}
