/**
 * Issue 19 A/B check, not part of `pnpm bench`. runSync of a trivial function (argument `big`: of a 64 KiB string): the previous build, this one, this one with spin 0, and synckit, interleaved in rounds; with the process CPU per wall-clock time.
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-ab.mjs`. Figures in docs/latency.md.
 */

import { SyncBridge as Cur } from '@x/sync-bridge';
import { createSyncFn } from 'synckit';

const { SyncBridge: Base } = await import(`${process.env.BASE}/sync-bridge/dist/index.js`);
const echoFile = new URL('./fixtures/synckit-echo.mjs', import.meta.url).pathname;
const arg = process.argv[2] === 'big' ? 'x'.repeat(64 * 1024) : 1;
const rounds = Number(process.env.ROUNDS ?? 7),
  n = Number(process.env.N ?? 2000);
const echo = async (x) => x;
const sk = createSyncFn(echoFile);
const contenders = {
  base: () => {
    const b = new Base();
    b.run(echo, arg);
    return [() => b.run(echo, arg), () => b.close()];
  },
  cur: () => {
    const b = new Cur();
    b.run(echo, arg);
    return [() => b.run(echo, arg), () => b.close()];
  },
  'cur spin 0': () => {
    const b = new Cur({ spin: 0 });
    b.run(echo, arg);
    return [() => b.run(echo, arg), () => b.close()];
  },
  synckit: () => [() => sk(arg), () => {}],
};
const all = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let r = 0; r < rounds; r++)
  for (const [k, make] of Object.entries(contenders)) {
    const [call, close] = make();
    for (let i = 0; i < 200; i++) call();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      call();
      all[k].push((performance.now() - t) * 1000);
    }
    const c1 = process.cpuUsage(c0);
    const w1 = performance.now() - w0;
    cpu[k].push((c1.user + c1.system) / 1000 / w1);
    close();
  }
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
for (const k of Object.keys(all))
  console.log(
    k.padEnd(11),
    'median',
    q(all[k], 50).toFixed(2),
    'p90',
    q(all[k], 90).toFixed(2),
    'p99',
    q(all[k], 99).toFixed(1),
    'µs; process cpu/wall',
    q(cpu[k], 50).toFixed(2),
  );
