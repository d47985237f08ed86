/**
 * Issue 19 A/B check, not part of `pnpm bench`. One tiny task at a time (a fresh pool's first tasks, and in the steady state) and 10,000 in flight, 2 children: the previous build, this one (with and without `spin`) and workerpool, interleaved in rounds.
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-ab.mjs`. Figures in docs/latency.md.
 */
import { ProcessPool as Cur } from '@x/process-pool';
import workerpool from 'workerpool';

const { ProcessPool: Base } = await import(`${process.env.BASE}/process-pool/dist/index.js`);
const workerScript = new URL('./fixtures/workerpool-worker.cjs', import.meta.url).pathname;
const inc = (x) => x + 1;
const mk = {
  base: () => {
    const p = new Base({ maxWorkers: 2, minWorkers: 2 });
    return [(i) => p.submit(inc, [i]), () => p.shutdown()];
  },
  cur: () => {
    const p = new Cur({ maxWorkers: 2, minWorkers: 2 });
    return [(i) => p.submit(inc, [i]), () => p.shutdown()];
  },
  'cur spin 0': () => {
    const p = new Cur({ maxWorkers: 2, minWorkers: 2, spin: 0 });
    return [(i) => p.submit(inc, [i]), () => p.shutdown()];
  },
  workerpool: () => {
    const p = workerpool.pool(workerScript, { workerType: 'process', maxWorkers: 2, minWorkers: 2 });
    return [(i) => p.exec('inc', [i]), () => p.terminate()];
  },
};
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const lat = Object.fromEntries(Object.keys(mk).map((k) => [k, []]));
const steady = Object.fromEntries(Object.keys(mk).map((k) => [k, []]));
const thr = Object.fromEntries(Object.keys(mk).map((k) => [k, []]));
const rounds = Number(process.env.ROUNDS ?? 5),
  n = 600,
  T = 10000;
const oneAtATime = async (call, count, into) => {
  for (let j = 0; j < count; j++) {
    const t = performance.now();
    await call(j);
    into?.push((performance.now() - t) * 1000);
  }
};
for (let r = 0; r < rounds; r++)
  for (const [k, make] of Object.entries(mk)) {
    const [call, close] = make();
    // Fresh: the pool's first tasks. In the first second or so of new processes, everybody's round trips are
    // 2-3x slower here (V8 compiling in the background, pages faulted in), so the steady state is measured
    // separately, after 3,000 tasks: what a service that offloads a task per request sees.
    await oneAtATime(call, 100);
    await oneAtATime(call, n, lat[k]);
    await oneAtATime(call, 2300);
    await oneAtATime(call, 1000, steady[k]);
    await Promise.all(Array.from({ length: 2000 }, (_, i) => call(i)));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: T }, (_, i) => call(i)));
    thr[k].push(T / ((performance.now() - t0) / 1000));
    await close();
  }
for (const k of Object.keys(mk))
  console.log(
    k.padEnd(11),
    'one at a time, fresh: median',
    q(lat[k], 50).toFixed(1),
    'p99',
    q(lat[k], 99).toFixed(0),
    'µs, ratio to workerpool',
    (q(lat[k], 50) / q(lat.workerpool, 50)).toFixed(2),
    '| steady: median',
    q(steady[k], 50).toFixed(1),
    'p99',
    q(steady[k], 99).toFixed(0),
    'µs, ratio',
    (q(steady[k], 50) / q(steady.workerpool, 50)).toFixed(2),
    '| throughput',
    Math.round(q(thr[k], 50)),
    'ops/s, ratio',
    (q(thr[k], 50) / q(thr.workerpool, 50)).toFixed(2),
  );
process.exit(0);
