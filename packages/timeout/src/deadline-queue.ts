/**
 * The one clock behind every deadline of this package. Creating and clearing a Node timer per operation is
 * what makes a naive timeout cost microseconds, so deadlines are grouped instead: each one goes into a
 * bucket keyed by its due time rounded *up* to a small resolution, buckets sit in a min-heap, and a single
 * Node timer is armed for the earliest bucket. Adding and removing a deadline is O(1) (a slot in the
 * bucket's array); only the first deadline of a new bucket touches the heap, and only an earlier bucket
 * re-arms the timer. Rounding up means a deadline never fires early; the timer callback re-checks the
 * monotonic clock, because Node's own timer clock may run slightly behind `performance.now()`.
 *
 * The shared timer is ref'd only while a ref'd deadline is pending, so it never keeps the process alive
 * after the work is done. Un-ref'ing is deferred to the next loop turn, so a tight loop of fast operations
 * does not toggle it on every call.
 */

import { cpuTime, nextTurn, preempted, refTimer as refRuntimeTimer, unrefTimer } from '@x/internal';

/** Something the queue can expire. The fields are the queue's bookkeeping; only this module writes them. */
export interface Deadline {
  _bucket: Bucket | null;
  _slot: number;
  _ref: boolean;
  /** Called once, from the timer, when the deadline is due (never after `unschedule`). */
  _expire(): void;
}

export class Bucket {
  items: Array<Deadline | undefined> = [];
  live = 0;
  constructor(readonly at: number) {}
}

/** Node clamps longer delays to 1 ms, so far deadlines are reached in hops of this size. */
const MAX_DELAY = 2 ** 31 - 1;

/** The monotonic clock every deadline is measured on, in milliseconds. */
export const now = (): number => performance.now();

const buckets = new Map<number, Bucket>();
const heap: Bucket[] = [];
/** The bucket used last: bursts of operations with the same `ms` skip the map lookup. */
let last: Bucket | null = null;
/** Deadlines already due when scheduled (`ms = 0`): they fire on the next loop turn, not synchronously. */
let dueNow = new Bucket(Number.NEGATIVE_INFINITY);
let dueNowScheduled = false;

let timer: ReturnType<typeof setTimeout> | undefined;
let armedAt = Number.POSITIVE_INFINITY;
let timerRefed = false;
let pending = 0;
let pendingRefs = 0;
let unrefScheduled = false;

/**
 * Tolerance grows with the delay: 0.25 ms below 128 ms, 1 ms below 2 s, then 16 ms (under 1%). Finer buckets
 * cost only a few more heap entries (a burst of operations with one `ms` spreads over as many buckets as
 * quarter-milliseconds it lasts), and each quarter-millisecond is lateness every deadline in it pays.
 */
const resolutionFor = (delay: number) => (delay < 128 ? 0.25 : delay < 2048 ? 1 : 16);

/**
 * Expires `d` at `at` (on the {@link now} clock), never earlier. `ref: false` lets the process exit while it
 * is pending, like an unref'd timer.
 */
export function schedule(d: Deadline, at: number, ref: boolean): void {
  const delay = at - now();
  let b: Bucket;
  if (delay <= 0) {
    b = dueNow;
    if (!dueNowScheduled) {
      dueNowScheduled = true;
      nextTurn(flushDueNow);
    }
  } else {
    const res = resolutionFor(delay);
    const key = Math.ceil(at / res) * res;
    if (last !== null && last.at === key) {
      b = last;
    } else {
      let found = buckets.get(key);
      if (found === undefined) {
        found = new Bucket(key);
        buckets.set(key, found);
        heapPush(found);
        if (key < armedAt) arm(key);
      }
      b = last = found;
    }
  }
  d._bucket = b;
  d._slot = b.items.push(d) - 1;
  b.live++;
  pending++;
  d._ref = ref;
  if (ref && pendingRefs++ === 0) refTimer();
}

/** Removes `d` if it is scheduled; O(1). Safe to call twice. */
export function unschedule(d: Deadline): void {
  const b = d._bucket;
  if (b === null) return;
  b.items[d._slot] = undefined;
  d._bucket = null;
  // An empty bucket has no live slots, so its array can be reused from the start.
  if (--b.live === 0) b.items.length = 0;
  pending--;
  // The last deadline leaving also schedules a look: where timers cannot be unref'd (browsers, edge workers),
  // the idle timer is cleared instead of being left to fire.
  if ((d._ref && --pendingRefs === 0) || pending === 0) scheduleUnref();
}

/** Changes whether a scheduled `d` keeps the process alive. */
export function setRef(d: Deadline, ref: boolean): void {
  if (d._ref === ref) return;
  d._ref = ref;
  if (d._bucket === null) return;
  if (ref) {
    if (pendingRefs++ === 0) refTimer();
  } else if (--pendingRefs === 0) scheduleUnref();
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  // Aimed at the last whole millisecond before the due time: Node counts whole milliseconds from the loop's
  // cached clock, so rounding up here would add up to a millisecond to every bucket. If it fires before the due
  // time, the callback re-arms for the rest (measured: median lateness 1.1 ms instead of 1.4 ms under load).
  const delay = Math.min(MAX_DELAY, Math.max(1, Math.floor(at - now())));
  timer = setTimeout(onTimer, delay);
  armedAt = at;
  timerRefed = pendingRefs > 0;
  if (!timerRefed) unrefTimer(timer);
}

function refTimer(): void {
  if (timer !== undefined && !timerRefed) {
    refRuntimeTimer(timer);
    timerRefed = true;
  }
}

function scheduleUnref(): void {
  if (unrefScheduled) return;
  unrefScheduled = true;
  nextTurn(applyUnref);
}

function applyUnref(): void {
  unrefScheduled = false;
  if (timer === undefined) return;
  if (pending === 0 && !unrefTimer(timer)) {
    // No unref in this runtime: a page or worker that is done with its deadlines keeps no timer pending.
    clearTimeout(timer);
    timer = undefined;
    armedAt = Number.POSITIVE_INFINITY;
    timerRefed = false;
    buckets.clear();
    heap.length = 0;
    last = null;
    return;
  }
  if (pendingRefs === 0 && timerRefed) {
    unrefTimer(timer);
    timerRefed = false;
  }
}

/**
 * A Node timer cannot land closer than about a millisecond: it counts whole milliseconds from the loop's cached
 * clock, and the loop sleeps in whole milliseconds too. So the last stretch of a wait, once under this many ms,
 * is polled on the loop's check phase (`setImmediate`) instead: a deadline then fires within one loop turn of
 * its due time (median 0.03 ms late instead of 0.9 ms on a quiet machine), for at most this much CPU per
 * bucket that fires. I/O still runs between two polls. Where there is no `setImmediate` (browsers, edge
 * workers), the timer alone does it.
 */
const POLL_MS = 1;
/**
 * A poll that shows the process was preempted (`preempted` in @x/internal: more than 1 ms late with under half of
 * it on the CPU) makes the next this many waits use the timer alone: on a busy machine polling only makes the
 * process wait longer (measured with 6 busy processes on 2 cores: 2,000 deadlines firing together were a median
 * 4.1 ms late when polled, 1.1 ms with timers alone).
 */
const POLL_BACKOFF = 64;
let pollBackoff = 0;

/** A poll is scheduled (see {@link POLL_MS}), and when it was asked for. */
let polling = false;
let pollAskedAt = 0;
let pollAskedCpu = 0;
/** The clock at the last poll: a clock that did not move (fake timers, a coarse clock) ends the polling. */
let polledAt = Number.NaN;

function onTimer(): void {
  timer = undefined;
  armedAt = Number.POSITIVE_INFINITY;
  timerRefed = false;
  polledAt = Number.NaN;
  expireDue();
}

function onPoll(): void {
  polling = false;
  const wall = now() - pollAskedAt;
  if (preempted(wall, cpuTime() - pollAskedCpu)) pollBackoff = POLL_BACKOFF;
  expireDue();
}

function expireDue(): void {
  const t = now();
  while (heap.length > 0 && heap[0]!.at <= t) {
    const b = heapPop();
    buckets.delete(b.at);
    if (last === b) last = null;
    expireAll(b);
  }
  if (pending === 0) {
    // Nothing left: drop the empty buckets instead of waking up for each of them.
    buckets.clear();
    heap.length = 0;
    last = null;
    return;
  }
  while (heap.length > 0 && heap[0]!.live === 0) {
    const b = heapPop();
    buckets.delete(b.at);
    if (last === b) last = null;
  }
  const top = heap[0];
  if (top === undefined) return;
  if (top.at - now() < POLL_MS && t !== polledAt) {
    if (pollBackoff > 0) pollBackoff--;
    else if (poll()) {
      polledAt = t;
      return;
    }
  }
  if (top.at < armedAt) arm(top.at);
}

/** Schedules a poll on the next turn of the loop; false where the runtime has no `setImmediate` or CPU clock. */
function poll(): boolean {
  if (polling) return true;
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof immediate !== 'function') return false;
  pollAskedCpu = cpuTime();
  if (Number.isNaN(pollAskedCpu)) return false;
  polling = true;
  pollAskedAt = now();
  const handle = immediate(onPoll) as { unref?: () => void } | undefined;
  // Like the timer, a poll keeps the process alive only for a ref'd deadline.
  if (pendingRefs === 0) handle?.unref?.();
  return true;
}

function flushDueNow(): void {
  dueNowScheduled = false;
  const b = dueNow;
  dueNow = new Bucket(Number.NEGATIVE_INFINITY);
  expireAll(b);
}

function expireAll(b: Bucket): void {
  const items = b.items;
  // `items.length` is re-read: an expiry may unschedule a sibling in this bucket.
  for (let i = 0; i < items.length; i++) {
    const d = items[i];
    if (d === undefined) continue;
    items[i] = undefined;
    d._bucket = null;
    b.live--;
    pending--;
    if (d._ref && --pendingRefs === 0) scheduleUnref();
    try {
      d._expire();
    } catch (error) {
      // Never swallowed, never allowed to stop the other deadlines of this bucket.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function heapPush(b: Bucket): void {
  let i = heap.push(b) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent]!;
    if (p.at <= b.at) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = b;
}

function heapPop(): Bucket {
  const top = heap[0]!;
  const end = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.at < heap[l]!.at ? r : l;
      if (heap[c]!.at >= end.at) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = end;
  }
  return top;
}

/** For tests: how many deadlines are pending and how many keep the process alive. */
export function queueStats(): { pending: number; refs: number; buckets: number; timerArmed: boolean } {
  return { pending, refs: pendingRefs, buckets: heap.length, timerArmed: timer !== undefined };
}
