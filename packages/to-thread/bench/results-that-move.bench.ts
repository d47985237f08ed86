import { ThreadPool } from '@x/to-thread';
import { Piscina } from 'piscina';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import { fixture } from './peers.ts';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const RESULTS = quick ? 3 : 10;
const fresh = (size: number) => new Uint8Array(size);

/** A 64 MiB result, made fresh in the thread each call: moved back (transferResult, piscina's move()) or copied. */
export default async (): Promise<Workload[]> => {
  let moved!: ThreadPool;
  let copied!: ThreadPool;
  let pis!: Piscina;
  const check = (bytes: Uint8Array) => {
    if (bytes.byteLength !== SIZE) throw new Error(`expected ${SIZE} bytes, got ${bytes.byteLength}`);
  };
  const times = async (call: () => Promise<Uint8Array>) => {
    for (let i = 0; i < RESULTS; i++) check(await call());
  };
  const workload = await throughput(
    `a 64 MiB result (Uint8Array made in the thread), ${RESULTS} in a row, 1 thread`,
    RESULTS,
    [
      {
        name: '@x/to-thread submit(fn, [size], { transferResult: true })',
        ours: true,
        setup: () => (moved = new ThreadPool({ minThreads: 1, maxThreads: 1 })),
        run: () => times(() => moved.submit(fresh, [SIZE], { transferResult: true })),
        teardown: () => moved.shutdown(),
      },
      {
        name: '@x/to-thread submit(fn, [size]) (copy)',
        setup: () => (copied = new ThreadPool({ minThreads: 1, maxThreads: 1 })),
        run: () => times(() => copied.submit(fresh, [SIZE])),
        teardown: () => copied.shutdown(),
      },
      {
        name: 'piscina run() returning Piscina.move(bytes)',
        setup: () =>
          (pis = new Piscina({ filename: fixture('big-result.mjs').href, minThreads: 1, maxThreads: 1 })),
        run: () => times(() => pis.run(SIZE) as Promise<Uint8Array>),
        teardown: () => pis.destroy(),
      },
    ],
    { target: '>= 10x the copy, >= 1x piscina move()' },
  );
  return [workload];
};
