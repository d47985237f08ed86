import { ThreadPool } from '@x/to-thread';
import workerpool from 'workerpool';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';

const N = quick ? 20_000 : 100_000;

/** N values reported by one running task: pool.stream (backpressure) vs workerpool's workerEmit events (none). */
export default async (): Promise<Workload[]> => {
  let ours!: ThreadPool;
  let wp!: ReturnType<typeof workerpool.pool>;
  const count = async (values: AsyncIterable<number>) => {
    let n = 0;
    for await (const _ of values) n++;
    if (n !== N) throw new Error(`expected ${N} values, got ${n}`);
  };
  const numbers = function* (n: number) {
    for (let i = 0; i < n; i++) yield i;
  };
  const workload = await throughput(
    `${N.toLocaleString('en-US')} values yielded by one task, 1 thread`,
    N,
    [
      {
        name: '@x/to-thread pool.stream (highWaterMark 16, default)',
        ours: true,
        setup: () => (ours = new ThreadPool({ minThreads: 1, maxThreads: 1 })),
        run: () => count(ours.stream(numbers, [N])),
      },
      {
        name: '@x/to-thread pool.stream (highWaterMark 1024)',
        run: () => count(ours.stream(numbers, [N], { highWaterMark: 1024 })),
        teardown: () => ours.shutdown(),
      },
      {
        name: 'workerpool exec(..., { on }) + workerEmit per value',
        setup: () =>
          (wp = workerpool.pool(new URL('./fixtures/workerpool-emit.cjs', import.meta.url).pathname, {
            minWorkers: 1,
            maxWorkers: 1,
            workerType: 'thread',
          })),
        run: async () => {
          let n = 0;
          const result = await wp.exec('emitMany', [N], { on: () => void n++ });
          if (result !== 'done' || n !== N) throw new Error(`expected ${N} events, got ${n}`);
        },
        teardown: () => wp.terminate(),
      },
    ],
    { target: '>= 2x workerpool workerEmit' },
  );
  return [workload];
};
