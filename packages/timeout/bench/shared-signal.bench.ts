/**
 * Issue 21: one long-lived signal (a server's shutdown signal, a request's signal) handed to 16,000 then
 * 64,000 operations started at once. With one `abort` listener per operation on that signal, Node's
 * EventTarget makes the batch quadratic (p-timeout is); ours must grow about linearly (<= 6x for 4x the
 * operations), and `withTimeout` must take <= 0.25x p-timeout's time at 64,000. Each workload also runs
 * the same batch without a signal: its growth is the floor, since a batch of 64,000 live operations
 * outgrows V8's young generation and costs the garbage collector more than 4x a batch of 16,000.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { sleep, withTimeout } from '@x/timeout';
import pTimeout from 'p-timeout';
import { sharedSignal, type Workload } from '../../../scripts/bench/kit.js';

// The kit collects garbage before every measured run when `gc` is exposed; the runner does not expose it.
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc');
}

const fast = (i: number) => Promise.resolve(i);

export default async (): Promise<Workload[]> => [
  ...(await sharedSignal(
    'withTimeout(5000, op, { signal })',
    [
      {
        name: '@x/timeout withTimeout',
        ours: true,
        start: (signal, i) => withTimeout(5000, fast(i), { signal }),
      },
      // What the same batch costs with no signal: its growth is the floor (garbage collection of a batch that
      // outgrows the young generation makes even that superlinear).
      {
        name: '@x/timeout withTimeout, no signal (baseline)',
        start: (_signal, i) => withTimeout(5000, fast(i)),
      },
      {
        name: 'p-timeout 7',
        start: (signal, i) => pTimeout(fast(i), { milliseconds: 5000, signal }),
        // Quadratic: about a minute per run at 64,000 on a busy 2-core machine, so one round.
        rounds: 1,
      },
    ],
    { target: '<= 0.25x p-timeout time at 64,000 (issue 21)' },
  )),
  ...(await sharedSignal('sleep(1, { signal })', [
    { name: '@x/timeout sleep', ours: true, start: (signal) => sleep(1, { signal }) },
    { name: '@x/timeout sleep, no signal (baseline)', start: () => sleep(1) },
  ])),
];
