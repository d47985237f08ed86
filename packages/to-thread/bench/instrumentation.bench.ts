import diagnosticsChannel from 'node:diagnostics_channel';
import { ThreadPool } from '@x/to-thread';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import { piscina } from './peers.ts';

const N = quick ? 5_000 : 20_000;
const inc = (x: number) => x + 1;

/** A subscriber that does what an APM hook minimally does: touch the context of every event. */
const seen = { n: 0 };
const subscriber = {
  start: (context: unknown) => {
    seen.n += (context as { id: number }).id > 0 ? 1 : 0;
  },
  end: () => {},
  asyncStart: () => {},
  asyncEnd: () => {},
  error: () => {},
};
const channel = diagnosticsChannel.tracingChannel('@x/executor:task');

/** The cost of observability: stats (timing on) plus a tracing subscriber, vs neither, vs piscina's best. */
export default async (): Promise<Workload[]> => {
  let instrumented!: ThreadPool;
  let plain!: ThreadPool;
  let p16!: ReturnType<typeof piscina>;
  const all = (call: (i: number) => Promise<unknown>) => {
    const ps = new Array<Promise<unknown>>(N);
    for (let i = 0; i < N; i++) ps[i] = call(i);
    return Promise.all(ps);
  };
  const workload = await throughput(
    `${N.toLocaleString('en-US')} tiny tasks in flight, 2 threads: stats + tracing subscriber vs neither`,
    N,
    [
      {
        name: '@x/to-thread, stats on + tracing subscriber',
        ours: true,
        setup: () => (instrumented = new ThreadPool({ minThreads: 2, maxThreads: 2 })),
        run: async () => {
          channel.subscribe(subscriber);
          try {
            await all((i) => instrumented.submit(inc, [i]));
          } finally {
            channel.unsubscribe(subscriber);
          }
          if (instrumented.stats().completed === 0) throw new Error('stats recorded nothing');
        },
        teardown: () => instrumented.shutdown(),
      },
      {
        name: '@x/to-thread, recordTiming: false, no subscriber',
        setup: () => (plain = new ThreadPool({ minThreads: 2, maxThreads: 2, recordTiming: false })),
        run: () => all((i) => plain.submit(inc, [i])),
        teardown: () => plain.shutdown(),
      },
      {
        name: 'piscina (concurrentTasksPerWorker 16, its best)',
        setup: () => (p16 = piscina({ concurrentTasksPerWorker: 16 })),
        run: () => all((i) => p16.run(i)),
        teardown: () => p16.destroy(),
      },
    ],
    { target: ">= 0.95x neither; >= 2x piscina's best configuration" },
  );
  return [workload];
};
