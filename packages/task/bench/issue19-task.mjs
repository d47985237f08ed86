/**
 * Issue 19 A/B check, not part of `pnpm bench`: `createTask` + await against a raw promise, the previous build
 * and this one interleaved in the same process (wall time and CPU time, 11 rounds, medians).
 * BASE is a folder holding the previous build of @x/task (a copy of its `dist`, e.g. `cp -r dist /tmp/task-base`
 * before rebuilding). Run from this package: `BASE=/tmp/task-base node --expose-gc bench/issue19-task.mjs`.
 * Figures in the README's "Benchmarks" section.
 */
import * as cur from '@x/task';

const base = await import(`${process.env.BASE}/index.js`);
const N = Number(process.env.N ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const value = async () => 1;
const takesSignal = async (signal) => (signal.aborted ? 0 : 1);

const batch = (mk) => async () => {
  const all = new Array(N);
  for (let i = 0; i < N; i++) all[i] = mk();
  for (let i = 0; i < N; i++) await all[i];
};
const oneByOne = (mk) => async () => {
  for (let i = 0; i < N; i++) await mk();
};
const workloads = {
  [`${N} created, then each awaited`]: {
    raw: batch(() => value()),
    base: batch(() => base.createTask(value)),
    cur: batch(() => cur.createTask(value)),
  },
  [`${N} x (create one, await it)`]: {
    raw: oneByOne(() => value()),
    base: oneByOne(() => base.createTask(value)),
    cur: oneByOne(() => cur.createTask(value)),
  },
  [`${N} whose function takes the signal`]: {
    raw: batch(() => takesSignal(new AbortController().signal)),
    base: batch(() => base.createTask(takesSignal)),
    cur: batch(() => cur.createTask(takesSignal)),
  },
  [`a group of ${N} children`]: {
    raw: () => Promise.all(Array.from({ length: N }, value)),
    base: () =>
      base.taskGroup((g) => {
        for (let i = 0; i < N; i++) g.spawn(value);
      }),
    cur: () =>
      cur.taskGroup((g) => {
        for (let i = 0; i < N; i++) g.spawn(value);
      }),
  },
};
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [label, set] of Object.entries(workloads)) {
  const wall = { raw: [], base: [], cur: [] };
  const cpu = { raw: [], base: [], cur: [] };
  for (const k of Object.keys(set)) await set[k]();
  for (let r = 0; r < ROUNDS; r++)
    for (const k of Object.keys(set)) {
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await set[k]();
      wall[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000);
    }
  const us = (ms) => ((ms * 1000) / N).toFixed(3);
  for (const [what, t] of [
    ['wall', wall],
    ['cpu', cpu],
  ])
    console.log(
      `${label} [${what}, µs/task]: raw ${us(med(t.raw))}  base ${us(med(t.base))}  cur ${us(med(t.cur))}` +
        `  raw/base ${(med(t.raw) / med(t.base)).toFixed(3)}  raw/cur ${(med(t.raw) / med(t.cur)).toFixed(3)}` +
        `  cur/base time ${(med(t.cur) / med(t.base)).toFixed(3)}`,
    );
}
process.exit(0);
