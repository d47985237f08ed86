/**
 * Issue 19, not part of `pnpm bench`: how close any awaitable task handle can get to a raw promise. Each design
 * below but the candidate does strictly less than a `Task` (no name, no state, no cancellation), so its cost is
 * a floor for that design; the candidate redesign does about as much as a `Task` on the common path (state,
 * retrieval, a name). CPU time per create + await (process.cpuUsage, so time the machine gives to other
 * processes is not counted), N in flight and one at a time, and the heap each task holds while in flight.
 * Each design runs in its own process (a fresh `node` per design and round, interleaved): run in one process,
 * the designs' different shapes reach the same `await` and call sites and slow each other down (createTask
 * measured 1.0-1.1 µs there against 0.79 alone, at 100,000 in flight).
 * Run from this package after a build: `node bench/issue19-floor.mjs` (`N=100000` for 100,000 in flight).
 * Figures in the README and docs/latency.md.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTask } from '@x/task';
import { LeastTask, withReaction } from './least-task.mjs';

const N = Number(process.env.N ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
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

let parkedResolve;
let parkedReject;
const parkBoth = (resolve, reject) => {
  parkedResolve = resolve;
  parkedReject = reject;
};
/**
 * The candidate redesign, complete enough to measure: a task that *is* a native promise, settled by its one
 * reaction on the work (which first records the state, so `done` is right before any awaiter resumes), with a
 * `constructor` getter that returns `Promise`: `await` then takes its fast path, and the getter is where the task
 * learns it was awaited or `then`-ed (the unobserved-failure policy needs that). Fields as a Task has them.
 */
class SubclassTask extends Promise {
  #state = 0;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: a Task's fields, for its size.
  #value;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: a Task's fields, for its size.
  #label = 1;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: a Task's fields, for its size.
  #owner;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: a Task's fields, for its size.
  #extra;
  #resolve;
  #reject;
  static #onFulfilled = function (v) {
    this.#value = v;
    this.#state = 1 | (this.#state & 4);
    this.#resolve(v);
  };
  static #onRejected = function (e) {
    this.#value = e;
    this.#state = 2 | (this.#state & 4);
    this.#reject(e);
  };
  constructor(fn) {
    super(parkBoth);
    this.#resolve = parkedResolve;
    this.#reject = parkedReject;
    let work;
    try {
      const result = fn();
      work = result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(SubclassTask.#onFulfilled.bind(this), SubclassTask.#onRejected.bind(this));
  }
  static retrieved(task) {
    task.#state |= 4;
  }
}
Object.defineProperty(SubclassTask.prototype, 'constructor', {
  get() {
    SubclassTask.retrieved(this);
    return Promise;
  },
});

const designs = {
  'raw promise': () => value(),
  'raw promise + one reaction (the state a task must keep)': () => withReaction(value()),
  'bare thenable wrapper (no reaction)': () => new Wrapper(value()),
  'least task: thenable handle + one reaction recording done': () => new LeastTask(value()),
  'Promise subclass adopting its work (no reaction)': () => new AdoptingPromise(value()),
  'candidate: Task as a Promise subclass (one reaction, constructor getter)': () => new SubclassTask(value),
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

if (process.env.DESIGN !== undefined) {
  // One design, one shape, in this process: warm up, then the median of 5 runs, and the heap per task.
  const mk = designs[process.env.DESIGN];
  const run = shapes[process.env.SHAPE];
  for (let i = 0; i < 3; i++) await run(mk);
  const xs = [];
  const walls = [];
  for (let i = 0; i < 5; i++) {
    globalThis.gc();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await run(mk);
    walls.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    xs.push((c.user + c.system) / 1000);
  }
  const all = new Array(N).fill(0);
  globalThis.gc();
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) all[i] = mk();
  globalThis.gc();
  const bytes = (process.memoryUsage().heapUsed - h0) / N;
  for (let i = 0; i < N; i++) await all[i];
  process.stdout.write(JSON.stringify({ ms: med(xs), wall: med(walls), bytes }));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
for (const shape of Object.keys(shapes)) {
  const cpu = Object.fromEntries(Object.keys(designs).map((k) => [k, []]));
  const wall = Object.fromEntries(Object.keys(designs).map((k) => [k, []]));
  const heap = {};
  for (let r = 0; r < ROUNDS; r++)
    for (const design of Object.keys(designs)) {
      const out = execFileSync(process.execPath, ['--expose-gc', self], {
        env: { ...process.env, DESIGN: design, SHAPE: shape },
        encoding: 'utf8',
      });
      const { ms, wall: w, bytes } = JSON.parse(out);
      cpu[design].push(ms);
      wall[design].push(w);
      heap[design] = bytes;
    }
  const raw = med(cpu['raw promise']);
  const rawWall = med(wall['raw promise']);
  console.log(
    `\n${shape} (µs per create + await, CPU then wall, each × raw promise; heap bytes per task in flight)`,
  );
  for (const [k, xs] of Object.entries(cpu))
    console.log(
      `  ${k.padEnd(74)} CPU ${((med(xs) * 1000) / N).toFixed(3)} ${(med(xs) / raw).toFixed(1)}x  wall ${((med(wall[k]) * 1000) / N).toFixed(3)} ${(med(wall[k]) / rawWall).toFixed(1)}x  ${heap[k].toFixed(0)} B`,
    );
}
