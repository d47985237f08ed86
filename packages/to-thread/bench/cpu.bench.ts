import { ThreadPool } from '@x/to-thread';
import { measured, quick, type Workload } from '../../../scripts/bench/kit.ts';
import { piscina } from './peers.ts';

const MS = quick ? 100 : 250;
const burn = (ms: number) => {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
};
const rounds = quick ? 1 : 3;

/** (d) 4 CPU-bound tasks of ~250 ms on 2 threads, against the same 4 run serially on the main thread. */
export default async (): Promise<Workload[]> => {
  const pool = new ThreadPool({ minThreads: 2, maxThreads: 2 });
  const pis = piscina();
  await Promise.all([pool.submit(burn, [1]), pool.submit(burn, [1]), pis.run(1)]);
  const serial: number[] = [];
  const ours: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    for (let i = 0; i < 4; i++) burn(MS);
    serial.push(performance.now() - t0);
    t0 = performance.now();
    await Promise.all([0, 1, 2, 3].map(() => pool.submit(burn, [MS])));
    ours.push(performance.now() - t0);
    t0 = performance.now();
    // piscina's file exports the same busy loop as `burn`.
    await Promise.all([0, 1, 2, 3].map(() => pis.run(MS, { name: 'burn' })));
    peer.push(performance.now() - t0);
  }
  await pool.shutdown();
  await pis.destroy();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return [
    measured(
      `4 CPU tasks of ${MS} ms on 2 threads (wall time)`,
      'ms',
      'lower',
      [
        { name: '@x/to-thread ThreadPool', ours: true, value: median(ours), detail: { rounds: ours } },
        { name: 'serial on the main thread', value: median(serial), detail: { rounds: serial } },
        { name: 'piscina (defaults)', value: median(peer), detail: { rounds: peer } },
      ],
      '<= 0.556x serial (>= 1.8x speed-up)',
    ),
  ];
};
