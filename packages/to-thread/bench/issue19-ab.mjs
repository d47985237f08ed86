/**
 * Issue 19 A/B check, not part of `pnpm bench`. One tiny task at a time and 20,000 in flight, 2 threads: the previous build, this one (with and without `spin`) and piscina, interleaved in rounds.
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-ab.mjs`. Figures in docs/latency.md.
 */
import { ThreadPool as Cur } from '@x/to-thread';
import { Piscina } from 'piscina';

const { ThreadPool: Base } = await import(`${process.env.BASE}/to-thread/dist/index.js`);
const incFile = new URL('./fixtures/inc.mjs', import.meta.url).href;
const inc = (x) => x + 1;
let i = 0;
const c = {
  base: () => {
    const p = new Base({ minThreads: 2, maxThreads: 2 });
    return [() => p.submit(inc, [i++]), () => p.shutdown()];
  },
  cur: () => {
    const p = new Cur({ minThreads: 2, maxThreads: 2 });
    return [() => p.submit(inc, [i++]), () => p.shutdown()];
  },
  'cur spin 0': () => {
    const p = new Cur({ minThreads: 2, maxThreads: 2, spin: 0 });
    return [() => p.submit(inc, [i++]), () => p.shutdown()];
  },
  piscina: () => {
    const p = new Piscina({ filename: incFile, minThreads: 2, maxThreads: 2, idleTimeout: 60_000 });
    return [() => p.run(i++), () => p.destroy()];
  },
};
const thr = {};
const all = Object.fromEntries(Object.keys(c).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(c).map((k) => [k, []]));
const rounds = Number(process.env.ROUNDS ?? 7),
  n = Number(process.env.N ?? 1000);
for (let r = 0; r < rounds; r++)
  for (const [k, make] of Object.entries(c)) {
    const [call, close] = make();
    for (let j = 0; j < 100; j++) await call();
    await Promise.all(Array.from({ length: 2000 }, () => call()));
    {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 20000 }, () => call()));
      (thr[k] ??= []).push(20000 / ((performance.now() - t0) / 1000));
    }
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let j = 0; j < n; j++) {
      const t = performance.now();
      await call();
      all[k].push((performance.now() - t) * 1000);
    }
    const u = process.cpuUsage(c0);
    cpu[k].push((u.user + u.system) / 1000 / (performance.now() - w0));
    await close();
  }
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
for (const k of Object.keys(all))
  console.log(
    k.padEnd(10),
    'median',
    q(all[k], 50).toFixed(2),
    'p99',
    q(all[k], 99).toFixed(1),
    'µs  cpu/wall',
    q(cpu[k], 50).toFixed(2),
    ' ratio to piscina',
    (q(all[k], 50) / q(all.piscina, 50)).toFixed(2),
    '| throughput 20,000 in flight',
    Math.round(q(thr[k], 50)),
    'ops/s, ratio',
    (q(thr[k], 50) / q(thr.piscina, 50)).toFixed(2),
  );
process.exit(0);
