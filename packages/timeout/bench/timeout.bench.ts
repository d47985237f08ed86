/**
 * 100,000 fast operations through a timeout, four ways, in one run:
 * - `@x/timeout` withTimeout (ours): one shared timer for all deadlines;
 * - `p-timeout` v7;
 * - a hand-written `Promise.race` + `setTimeout` + `clearTimeout` (one Node timer per operation);
 * - `AbortSignal.timeout()` + a race on its `abort` event (a timer per operation that is never cleared).
 * Every deadline is 1 hour, so none fires during the run; the operations settle at once. "Concurrent" starts
 * all of them and awaits them together; "one at a time" awaits each before starting the next. A third
 * workload hands each operation an AbortSignal (cancellable work), where an AbortController per operation is
 * unavoidable; p-timeout has no such mode, so it is compared with the hand-written equivalents only.
 * The first workloads check that sharing one timer costs no accuracy: 2,000 deadlines of 20-80 ms that do
 * fire, and how late (or early) each fired, measured on `performance.now()` (3 rounds, contenders interleaved).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { withTimeout } from '@x/timeout';
import pTimeout from 'p-timeout';
import {
  type Contender,
  measured,
  median,
  percentile,
  quick,
  throughput,
  type Workload,
} from '../../../scripts/bench/kit.js';

// The kit collects garbage before every measured run when `gc` is exposed, so that the garbage one contender
// leaves (100,000 timers and signals) is not collected during the next contender's run and billed to it.
// The runner starts Node without --expose-gc, so expose it here.
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc');
}

const OPS = quick ? 20_000 : 100_000;
// One hour: no deadline fires during the run. `AbortSignal.timeout()` timers cannot be cleared, so with a
// shorter deadline hundreds of thousands of them would fire in the middle of later measurements.
const MS = 3_600_000;

const fast = (i: number) => Promise.resolve(i);

function handRace<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function abortSignalTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The cancellable form written by hand: a controller per operation, a timer that aborts it, cleared on settle. */
function handCancellable<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([fn(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

function signalTimeoutCancellable<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  return abortSignalTimeout(fn(AbortSignal.timeout(ms)), ms);
}

const concurrent =
  (one: (i: number) => Promise<unknown>): Contender['run'] =>
  () => {
    const all = new Array<Promise<unknown>>(OPS);
    for (let i = 0; i < OPS; i++) all[i] = one(i);
    return Promise.all(all);
  };

const sequential =
  (one: (i: number) => Promise<unknown>): Contender['run'] =>
  async () => {
    for (let i = 0; i < OPS; i++) await one(i);
  };

const peers = (mode: typeof concurrent): Contender[] => [
  { name: '@x/timeout withTimeout', ours: true, run: mode((i) => withTimeout(MS, fast(i))) },
  { name: 'p-timeout 7', run: mode((i) => pTimeout(fast(i), { milliseconds: MS })) },
  { name: 'Promise.race + setTimeout + clearTimeout', run: mode((i) => handRace(fast(i), MS)) },
  { name: 'AbortSignal.timeout + abort-event race', run: mode((i) => abortSignalTimeout(fast(i), MS)) },
];

const target = '<= 0.3x p-timeout time (>= 3.33x its ops/s) and faster than Promise.race + setTimeout';

/** Lateness in ms of `n` deadlines of 20-80 ms started together; negative means it fired early. */
async function lateness(start: (ms: number, fired: () => void) => void, n = 2000): Promise<number[]> {
  const late: number[] = [];
  await new Promise<void>((resolve) => {
    for (let i = 0; i < n; i++) {
      const ms = 20 + ((i * 7919) % 61);
      const t0 = performance.now();
      start(ms, () => {
        late.push(performance.now() - t0 - ms);
        if (late.length === n) resolve();
      });
    }
  });
  return late;
}

async function accuracy(): Promise<Workload[]> {
  const never = () => new Promise<never>(() => {});
  const contenders: Array<[string, boolean, (ms: number, fired: () => void) => void]> = [
    ['@x/timeout withTimeout', true, (ms, fired) => void withTimeout(ms, never()).catch(fired)],
    ['setTimeout', false, (ms, fired) => void setTimeout(fired, ms)],
    ['p-timeout 7', false, (ms, fired) => void pTimeout(never(), { milliseconds: ms }).catch(fired)],
  ];
  const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  // Interleaved in rounds, so a busy stretch of a shared machine does not land on one contender only.
  for (let round = 0; round < (quick ? 1 : 3); round++)
    for (const [name, , start] of contenders) samples.get(name)!.push(...(await lateness(start)));
  const figure = (pick: (xs: number[]) => number) =>
    contenders.map(([name, ours]) => {
      const xs = samples.get(name)!;
      return {
        name,
        ours,
        value: pick(xs),
        detail: { deadlines: xs.length, early: xs.filter((x) => x < 0).length },
      };
    });
  const target =
    'never early (detail.early = 0); median <= 0.5 ms late (issue 19): bucket resolution (0.25 ms) + the rest of a Node timer millisecond + event-loop latency';
  return [
    measured(
      'deadline lateness, 2,000 deadlines of 20-80 ms (median)',
      'ms',
      'lower',
      figure(median),
      target,
    ),
    measured(
      'deadline lateness (p99)',
      'ms',
      'lower',
      figure((xs) => percentile(xs, 99)),
    ),
    measured(
      'deadline lateness (min; negative = fired early)',
      'ms',
      'higher',
      figure((xs) => Math.min(...xs)),
    ),
  ];
}

export default async (): Promise<Workload[]> => [
  // First, before the throughput workloads leave any garbage or uncleared peer timers behind.
  ...(await accuracy()),
  await throughput(`${OPS.toLocaleString('en-US')} fast operations, concurrent`, OPS, peers(concurrent), {
    target,
  }),
  await throughput(`${OPS.toLocaleString('en-US')} fast operations, one at a time`, OPS, peers(sequential), {
    target,
  }),
  await throughput(
    `${OPS.toLocaleString('en-US')} fast cancellable operations (op gets a signal), concurrent`,
    OPS,
    [
      {
        name: '@x/timeout withTimeout(ms, (signal) => ...)',
        ours: true,
        run: concurrent((i) => withTimeout(MS, (_signal) => fast(i))),
      },
      {
        name: 'AbortController + Promise.race + setTimeout',
        run: concurrent((i) => handCancellable((_signal) => fast(i), MS)),
      },
      {
        name: 'AbortSignal.timeout handed to the op',
        run: concurrent((i) => signalTimeoutCancellable((_signal) => fast(i), MS)),
      },
    ],
    { target: 'faster than the hand-written AbortController + setTimeout race' },
  ),
];
