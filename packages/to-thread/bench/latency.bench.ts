import { ThreadPool } from '@x/to-thread';
import { latency, type Workload } from '../../../scripts/bench/kit.ts';
import { atomicsFloor, echoFloor, piscina, tinypool, workerpoolPool } from './peers.ts';

const inc = (x: number) => x + 1;

/** (b) One tiny task at a time: the round trip a single awaited call pays. */
export default async (): Promise<Workload[]> => {
  let ours!: ThreadPool;
  let p1!: ReturnType<typeof piscina>;
  let tp!: ReturnType<typeof tinypool>;
  let wp!: ReturnType<typeof workerpoolPool>;
  let echo!: ReturnType<typeof echoFloor>;
  let atomics!: ReturnType<typeof atomicsFloor>;
  let i = 0;
  return latency(
    'one tiny task at a time, 2 threads',
    [
      {
        name: '@x/to-thread ThreadPool',
        ours: true,
        setup: () => (ours = new ThreadPool({ minThreads: 2, maxThreads: 2 })),
        call: () => ours.submit(inc, [i++]),
        teardown: () => ours.shutdown(),
      },
      {
        name: 'piscina (defaults)',
        setup: () => (p1 = piscina()),
        call: () => p1.run(i++),
        teardown: () => p1.destroy(),
      },
      {
        name: 'tinypool',
        setup: () => (tp = tinypool()),
        call: () => tp.run(i++),
        teardown: () => tp.destroy(),
      },
      {
        name: 'workerpool',
        setup: () => (wp = workerpoolPool()),
        call: () => wp.exec('inc', [i++]),
        teardown: () => wp.terminate(),
      },
      {
        name: 'floor: raw postMessage echo',
        setup: () => (echo = echoFloor()),
        call: () => echo.call(i++),
        teardown: () => echo.close(),
      },
      {
        name: 'floor: raw Atomics.wait/notify round trip (waitAsync on main)',
        setup: () => (atomics = atomicsFloor()),
        call: () => atomics.call(),
        teardown: () => atomics.close(),
      },
    ],
    { target: "<= 0.5x piscina's" },
  );
};
