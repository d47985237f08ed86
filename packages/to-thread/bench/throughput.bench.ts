import { ThreadPool } from '@x/to-thread';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import { echoFloor, piscina, tinypool, workerpoolPool } from './peers.ts';

const N = quick ? 5_000 : 20_000;
const inc = (x: number) => x + 1;

/** (a) N tiny tasks in flight at once on 2 threads. */
export default async (): Promise<Workload[]> => {
  let ours!: ThreadPool;
  let p1!: ReturnType<typeof piscina>;
  let p16!: ReturnType<typeof piscina>;
  let tp!: ReturnType<typeof tinypool>;
  let wp!: ReturnType<typeof workerpoolPool>;
  let echo!: ReturnType<typeof echoFloor>;
  const all = (call: (i: number) => Promise<unknown>) => {
    const ps = new Array<Promise<unknown>>(N);
    for (let i = 0; i < N; i++) ps[i] = call(i);
    return Promise.all(ps);
  };
  const workload = await throughput(
    `${N.toLocaleString('en-US')} tiny tasks (x => x + 1) in flight, 2 threads`,
    N,
    [
      {
        name: '@x/to-thread ThreadPool',
        ours: true,
        setup: () => (ours = new ThreadPool({ minThreads: 2, maxThreads: 2 })),
        run: () => all((i) => ours.submit(inc, [i])),
        teardown: () => ours.shutdown(),
      },
      {
        name: 'piscina (defaults)',
        setup: () => (p1 = piscina()),
        run: () => all((i) => p1.run(i)),
        teardown: () => p1.destroy(),
      },
      {
        name: 'piscina (concurrentTasksPerWorker 16)',
        setup: () => (p16 = piscina({ concurrentTasksPerWorker: 16 })),
        run: () => all((i) => p16.run(i)),
        teardown: () => p16.destroy(),
      },
      {
        name: 'tinypool',
        setup: () => (tp = tinypool()),
        run: () => all((i) => tp.run(i)),
        teardown: () => tp.destroy(),
      },
      {
        name: 'workerpool',
        setup: () => (wp = workerpoolPool()),
        run: () => all((i) => wp.exec('inc', [i]) as unknown as Promise<unknown>),
        teardown: () => wp.terminate(),
      },
      {
        name: 'floor: raw postMessage echo, 1 message per task',
        setup: () => (echo = echoFloor()),
        run: () => all((i) => echo.call(i)),
      },
      {
        name: 'floor: raw postMessage echo, batched',
        run: () => echo.batch(Array.from({ length: N }, (_, i) => i)),
        teardown: () => echo.close(),
      },
    ],
    { target: ">= 2x piscina's best configuration" },
  );
  return [workload];
};
