import diagnosticsChannel from 'node:diagnostics_channel';
import { ProcessPool } from '@x/process-pool';
import workerpool from 'workerpool';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';

const N = quick ? 5_000 : 20_000;
const inc = (x: number) => x + 1;
const subscriber = {
  start: () => {},
  end: () => {},
  asyncStart: () => {},
  asyncEnd: () => {},
  error: () => {},
};
const channel = diagnosticsChannel.tracingChannel('@x/executor:task');
const workerScript = new URL('./fixtures/workerpool-worker.cjs', import.meta.url).pathname;

/** The cost of observability on child processes: stats + a tracing subscriber vs neither (and workerpool). */
export default async (): Promise<Workload[]> => {
  const instrumented = new ProcessPool({ maxWorkers: 2, minWorkers: 2 });
  const plain = new ProcessPool({ maxWorkers: 2, minWorkers: 2, recordTiming: false });
  const wp = workerpool.pool(workerScript, { workerType: 'process', maxWorkers: 2, minWorkers: 2 });
  const all = (call: (i: number) => Promise<unknown>) => () =>
    Promise.all(Array.from({ length: N }, (_, i) => call(i)));
  const workload = await throughput(
    `${N.toLocaleString('en-US')} tiny tasks in flight, 2 children: stats + tracing subscriber vs neither`,
    N,
    [
      {
        name: '@x/process-pool, stats on + tracing subscriber',
        ours: true,
        run: async () => {
          channel.subscribe(subscriber);
          try {
            await all((i) => instrumented.submit(inc, [i]))();
          } finally {
            channel.unsubscribe(subscriber);
          }
        },
      },
      {
        name: '@x/process-pool, recordTiming: false, no subscriber',
        run: all((i) => plain.submit(inc, [i])),
      },
      {
        name: 'workerpool (process mode)',
        run: all((i) => wp.exec('inc', [i]) as unknown as Promise<unknown>),
      },
    ],
    { target: '>= 0.95x neither' },
  );
  await Promise.all([instrumented.shutdown(), plain.shutdown(), wp.terminate()]);
  return [workload];
};
