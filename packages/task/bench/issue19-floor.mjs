/**
 * Issue 19, not part of `pnpm bench`: how close any awaitable task handle can get to a raw promise. Each design
 * below does strictly less than a `Task` (no name, no state, no cancellation), so its cost is a floor for that
 * design. CPU time per create + await (process.cpuUsage, so time the machine gives to other processes is not
 * counted), 20,000 in flight and one at a time, 21 interleaved rounds, medians.
 * Run from this package after a build: `node --expose-gc bench/issue19-floor.mjs`. Figures in the README.
 */
import { createTask } from '@x/task';

const N = 20_000;
const ROUNDS = 21;
const value = async () => 1;

/** The thinnest thenable handle: what `await` costs on anything that is not a native promise. */
class Wrapper {
  constructor(work) {
    this.work = work;
  }
  // biome-ignore lint/suspicious/noThenProperty: the point of the measurement.
  then(a, b) {
    return this.work.then(a, b);
  }
}

let parked;
const park = (resolve) => {
  parked = resolve;
};
/** A native-promise handle on `await`'s fast path that only adopts its work: no reaction to know it is done. */
class AdoptingPromise extends Promise {
  constructor(work) {
    super(park);
    parked(work);
    parked = undefined;
  }
}
Object.defineProperty(AdoptingPromise.prototype, 'constructor', { value: Promise });

const designs = {
  'raw promise': () => value(),
  'raw promise + one reaction (the state a task must keep)': () => {
    const work = value();
    work.then(
      (v) => v,
      (e) => e,
    );
    return work;
  },
  'bare thenable wrapper (no reaction)': () => new Wrapper(value()),
  'Promise subclass adopting its work (no reaction)': () => new AdoptingPromise(value()),
  '@x/task createTask': () => createTask(value),
};
const shapes = {
  [`${N} in flight`]: async (mk) => {
    const all = new Array(N);
    for (let i = 0; i < N; i++) all[i] = mk();
    for (let i = 0; i < N; i++) await all[i];
  },
  'one at a time': async (mk) => {
    for (let i = 0; i < N; i++) await mk();
  },
};
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [shape, run] of Object.entries(shapes)) {
  const cpu = Object.fromEntries(Object.keys(designs).map((k) => [k, []]));
  for (const mk of Object.values(designs)) await run(mk);
  for (let r = 0; r < ROUNDS; r++)
    for (const [k, mk] of Object.entries(designs)) {
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      await run(mk);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000);
    }
  const raw = med(cpu['raw promise']);
  console.log(`\n${shape} (CPU µs per create + await; × raw promise)`);
  for (const [k, xs] of Object.entries(cpu))
    console.log(`  ${k.padEnd(58)} ${((med(xs) * 1000) / N).toFixed(3)}  ${(med(xs) / raw).toFixed(1)}x`);
}
process.exit(0);
