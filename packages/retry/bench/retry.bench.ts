/**
 * What retry costs when nothing fails (the target: <= 1.2x a plain call), and what one failure costs,
 * against p-retry 9, in one run with the contenders interleaved.
 *
 * - "one event-loop turn": each operation awaits `setImmediate`, the smallest real asynchronous work (any
 *   I/O takes at least a turn), called one at a time with the caller's signal, as a request handler would.
 * - "settles at once": the operation returns an already-resolved promise, so the figure is retry's own
 *   overhead per call, with nothing to hide it.
 * - "one failure": the first attempt fails, the second succeeds, no delay (minDelay 0; p-retry minTimeout 0).
 *
 * `retry(op)` without a signal is measured apart: an operation that takes no argument gets no signal made
 * for it (nothing to pay), while one that declares a signal parameter gets an `AbortController` per call,
 * which on Node 20 costs a few microseconds by itself.
 */
import { retry } from '@x/retry';
import pRetry from 'p-retry';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

const N = quick ? 10_000 : 50_000;
const rounds = quick ? 3 : 9;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const signal = new AbortController().signal;

/** `n` calls of `one`, one at a time. */
const sequential = (one: () => Promise<unknown>) => async () => {
  for (let i = 0; i < N; i++) await one();
};

export default async (): Promise<Workload[]> => {
  const opTurn = async (_signal: AbortSignal) => {
    await turn();
    return 1;
  };
  const opNow = (_signal: AbortSignal) => Promise.resolve(1);

  const zeroFailures = (op: (signal: AbortSignal) => Promise<number>, label: string) =>
    throughput(
      `${N.toLocaleString('en-US')} calls, no failure, operation ${label}, one at a time`,
      N,
      [
        { name: '@x/retry retry(op, { signal })', ours: true, run: sequential(() => retry(op, { signal })) },
        { name: 'plain call op(signal)', run: sequential(() => op(signal)) },
        { name: 'p-retry 9', run: sequential(() => pRetry(() => op(signal), { signal })) },
      ],
      {
        rounds,
        target: label.startsWith('awaits')
          ? '<= 1.2x the plain call time (ratio >= 0.83)'
          : 'reported: the bare overhead per call, nothing to hide it',
      },
    );

  const withTurn = await zeroFailures(opTurn, 'awaits one event-loop turn');
  const immediate = await zeroFailures(opNow, 'settles at once');

  const opNoArgument = async () => {
    await turn();
    return 1;
  };
  const noSignal = await throughput(
    `${N.toLocaleString('en-US')} calls, no failure, operation () => ... awaits one event-loop turn, no signal given`,
    N,
    [
      { name: '@x/retry retry(op)', ours: true, run: sequential(() => retry(opNoArgument)) },
      { name: 'plain call op()', run: sequential(() => opNoArgument()) },
      { name: 'p-retry 9', run: sequential(() => pRetry(() => opNoArgument())) },
    ],
    { rounds, target: '<= 1.2x the plain call time (ratio >= 0.83)' },
  );

  const madeSignal = await throughput(
    `${N.toLocaleString('en-US')} calls, no failure, operation (signal) => ... awaits one event-loop turn, no signal given`,
    N,
    [
      { name: '@x/retry retry(op)', ours: true, run: sequential(() => retry(opTurn)) },
      { name: 'plain call op(signal)', run: sequential(() => opTurn(signal)) },
    ],
    {
      rounds,
      target: 'reported: retry makes the AbortController the operation asks for (Node 20: a few µs)',
    },
  );

  const failingOnce = () => {
    let n = 0;
    return async (_signal: AbortSignal) => {
      if (n++ % 2 === 0) throw new Error('flaky');
      return 1;
    };
  };
  const ours = failingOnce();
  const theirs = failingOnce();
  const oneFailure = await throughput(
    `${N.toLocaleString('en-US')} calls whose first attempt fails, no delay, one at a time`,
    N,
    [
      {
        name: '@x/retry retry(op, { signal, minDelay: 0 })',
        ours: true,
        run: sequential(() => retry(ours, { signal, minDelay: 0 })),
      },
      {
        name: 'p-retry 9 { minTimeout: 0 }',
        run: sequential(() => pRetry(() => theirs(signal), { signal, minTimeout: 0 })),
      },
    ],
    { rounds, target: 'faster than p-retry' },
  );

  return [withTurn, immediate, noSignal, madeSignal, oneFailure];
};
