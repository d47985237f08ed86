/**
 * Per-call latency of a trivial async function and of one echoing a 64 KiB string, through our bridge,
 * synckit (worker + Atomics.wait, the worker waits on its event loop) and make-synchronous.
 */

import { SyncBridge } from '@x/sync-bridge';
import makeSynchronous from 'make-synchronous';
import { createSyncFn } from 'synckit';
import { type LatencyContender, latency, quick, type Workload } from '../../../scripts/bench/kit.ts';

const echoFile = new URL('./fixtures/synckit-echo.mjs', import.meta.url).pathname;

async function compare(name: string, arg: unknown, target: string): Promise<Workload[]> {
  let bridge!: SyncBridge;
  const echo = async (x: unknown) => x;
  const synckitEcho = createSyncFn<(x: unknown) => Promise<unknown>>(echoFile);
  const makeSyncEcho = makeSynchronous(async (x: unknown) => x);
  const fast: LatencyContender[] = [
    {
      name: '@x/sync-bridge runSync',
      ours: true,
      // A new bridge per round (rounds tear their contender down), started before the warm-up calls.
      setup: () => {
        bridge = new SyncBridge();
        bridge.run(echo, arg);
      },
      call: () => bridge.run(echo, arg),
      teardown: () => bridge.close(),
    },
    { name: 'synckit', call: () => synckitEcho(arg) },
  ];
  const [median, p99] = await latency(name, fast, { target });
  // make-synchronous starts a worker per call (milliseconds): fewer samples keep the run short.
  const [slowMedian, slowP99] = await latency(
    name,
    [{ name: 'make-synchronous', call: () => makeSyncEcho(arg) }],
    {
      samples: quick ? 10 : 200,
      warmup: quick ? 2 : 10,
    },
  );
  median!.results.push(...slowMedian!.results);
  p99!.results.push(...slowP99!.results);
  return [median!, p99!];
}

export default async (): Promise<Workload[]> => [
  ...(await compare('trivial call', 1, '<= 0.3x synckit')),
  ...(await compare('64 KiB string argument and result', 'x'.repeat(64 * 1024), '<= 0.8x synckit')),
];
