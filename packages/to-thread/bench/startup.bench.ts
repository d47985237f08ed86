import { ThreadPool } from '@x/to-thread';
import { measured, quick, timeMs, type Workload } from '../../../scripts/bench/kit.ts';
import { piscina, tinypool, workerpoolPool } from './peers.ts';

const inc = (x: number) => x + 1;
const rounds = quick ? 3 : 9;

/** (c) Create a 2-thread pool, get the first result, shut the pool down: start-up cost as a user feels it. */
export default async (): Promise<Workload[]> => {
  const contenders: Array<{ name: string; ours?: boolean; once: () => Promise<unknown> }> = [
    {
      // Like the peers' configuration: both threads started with the pool.
      name: '@x/to-thread ThreadPool (minThreads 2)',
      ours: true,
      once: async () => {
        const pool = new ThreadPool({ minThreads: 2, maxThreads: 2 });
        await pool.submit(inc, [1]);
        await pool.shutdown();
      },
    },
    {
      // What toThread users get: threads start on demand, so the first result needs only one.
      name: 'reference: @x/to-thread ThreadPool (lazy threads)',
      once: async () => {
        const pool = new ThreadPool({ maxThreads: 2 });
        await pool.submit(inc, [1]);
        await pool.shutdown();
      },
    },
    {
      name: 'piscina (defaults)',
      once: async () => {
        const pool = piscina();
        await pool.run(1);
        await pool.destroy();
      },
    },
    {
      name: 'tinypool',
      once: async () => {
        const pool = tinypool();
        await pool.run(1);
        await pool.destroy();
      },
    },
    {
      name: 'workerpool',
      once: async () => {
        const pool = workerpoolPool();
        await pool.exec('inc', [1]);
        await pool.terminate();
      },
    },
  ];
  const samples = new Map(contenders.map((c) => [c, [] as number[]]));
  for (const c of contenders) await c.once(); // warm the module caches of every contender alike
  // Interleaved so machine noise hits every contender alike; the median counts.
  for (let r = 0; r < rounds; r++) for (const c of contenders) samples.get(c)!.push(await timeMs(c.once, 1));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return [
    measured(
      'start-up: new pool (2 threads) to first result',
      'ms',
      'lower',
      contenders.map((c) => ({
        name: c.name,
        ours: c.ours,
        value: median(samples.get(c)!),
        detail: { rounds },
      })),
      '<= 1x piscina',
    ),
  ];
};
