/**
 * The benchmark kit every package's `bench/*.bench.ts` uses, so that all packages measure the same way
 * and write the same `bench/results.json` shape.
 *
 * A bench file default-exports an async function returning `Workload[]`. Build each workload with
 * `throughput()` (ops/s, higher is better), `latency()` (median and p99 per call, lower is better) or
 * `measured()` (a figure you computed yourself, e.g. peak heap or start-up time). Mark our own entry
 * with `ours: true`; the runner prints every result and our ratio to each peer measured in the same run.
 */

export type Better = 'higher' | 'lower';

export interface Result {
  /** Contender name, e.g. `@x/timeout withTimeout` or `p-timeout`. */
  name: string;
  /** True for the @x entry the ratios are computed from. */
  ours?: boolean;
  value: number;
  /** Anything worth keeping beside the figure (sample count, raw rounds, ...). */
  detail?: Record<string, unknown>;
}

export interface Workload {
  name: string;
  unit: string;
  better: Better;
  results: Result[];
  /** A target from the issue, written as text (e.g. `<= 0.3x p-timeout`), printed beside the ratios. */
  target?: string;
}

export interface Contender {
  name: string;
  ours?: boolean;
  /** Run once before the measured rounds (e.g. start a pool); its return value is ignored. */
  setup?: () => unknown | Promise<unknown>;
  /** One measured run; performs `ops` operations. */
  run: () => unknown | Promise<unknown>;
  teardown?: () => unknown | Promise<unknown>;
}

export const quick = process.env.BENCH_QUICK === '1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * Ops per second of each contender, `rounds` measured runs of `ops` operations each (after one warm-up run),
 * interleaved contender by contender so machine noise hits everybody alike; the median round counts.
 */
export async function throughput(
  name: string,
  ops: number,
  contenders: Contender[],
  { rounds = quick ? 2 : 5, target }: { rounds?: number; target?: string } = {},
): Promise<Workload> {
  const samples = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
  for (const c of contenders) {
    await c.setup?.();
    await c.run(); // warm-up
  }
  for (let round = 0; round < rounds; round++) {
    for (const c of contenders) {
      gc();
      const t0 = performance.now();
      await c.run();
      const ms = performance.now() - t0;
      samples.get(c)!.push((ops * 1000) / ms);
    }
  }
  for (const c of contenders) await c.teardown?.();
  return {
    name,
    unit: 'ops/s',
    better: 'higher',
    target,
    results: contenders.map((c) => ({
      name: c.name,
      ours: c.ours,
      value: median(samples.get(c)!),
      detail: { ops, rounds: samples.get(c)!.map(Math.round) },
    })),
  };
}

export interface LatencyContender {
  name: string;
  ours?: boolean;
  setup?: () => unknown | Promise<unknown>;
  /** One call, awaited; its duration is one sample. */
  call: () => unknown | Promise<unknown>;
  teardown?: () => unknown | Promise<unknown>;
}

/**
 * Per-call latency in microseconds: `samples` sequential calls per contender after `warmup` calls.
 * Returns two workloads, the median and the p99.
 */
export async function latency(
  name: string,
  contenders: LatencyContender[],
  {
    samples = quick ? 200 : 5000,
    warmup = quick ? 20 : 500,
    target,
  }: { samples?: number; warmup?: number; target?: string } = {},
): Promise<Workload[]> {
  const all = new Map<LatencyContender, number[]>(contenders.map((c) => [c, []]));
  // Interleaved in rounds (each contender set up, measured and torn down in turn, `rounds` times), so a
  // quiet or busy stretch of a shared machine is spread over every contender instead of landing on one.
  // Only one contender's workers exist at a time: an idle pool's threads would otherwise share the cores.
  const rounds = quick ? 1 : 5;
  for (let round = 0; round < rounds; round++) {
    for (const c of contenders) {
      await c.setup?.();
      for (let i = 0; i < Math.max(20, Math.ceil(warmup / rounds)); i++) await c.call();
      const xs = all.get(c)!;
      for (let i = 0; i < Math.ceil(samples / rounds); i++) {
        const t0 = performance.now();
        await c.call();
        xs.push((performance.now() - t0) * 1000);
      }
      await c.teardown?.();
    }
  }
  const make = (label: string, pick: (xs: number[]) => number): Workload => ({
    name: `${name} (${label})`,
    unit: 'µs',
    better: 'lower',
    target: label === 'median' ? target : undefined,
    results: contenders.map((c) => ({
      name: c.name,
      ours: c.ours,
      value: pick(all.get(c)!),
      detail: { samples },
    })),
  });
  return [make('median', median), make('p99', (xs) => percentile(xs, 99))];
}

/** A workload whose figures were measured by the bench file itself. */
export function measured(
  name: string,
  unit: string,
  better: Better,
  results: Result[],
  target?: string,
): Workload {
  return { name, unit, better, results, target };
}

export interface SharedSignalContender {
  name: string;
  ours?: boolean;
  setup?: () => unknown | Promise<unknown>;
  /** Starts one operation handed `signal` (the one every operation of the run shares); `i` is its number. */
  start: (signal: AbortSignal, i: number) => PromiseLike<unknown>;
  teardown?: () => unknown | Promise<unknown>;
  /** Measure this contender in the first `rounds` rounds only (a quadratic peer can take minutes per run). */
  rounds?: number;
}

/**
 * Many operations on one long-lived signal (issue 21): for each size, starts that many operations at once, all
 * given the same `AbortController`'s signal (never aborted), and times until all have settled (median of
 * `rounds`, contenders interleaved). Returns two workloads: the time at the largest size, and the growth from
 * the smallest to the largest (linear is the size ratio, 4x for 16k -> 64k; one listener per operation on the
 * signal makes it quadratic, 16x).
 */
export async function sharedSignal(
  name: string,
  contenders: SharedSignalContender[],
  {
    sizes = [16_000, 64_000] as const,
    rounds = quick ? 3 : 5,
    target,
    growthTarget = '<= 6x (linear: 4x)',
  }: { sizes?: readonly [number, number]; rounds?: number; target?: string; growthTarget?: string } = {},
): Promise<Workload[]> {
  const [small, large] = sizes;
  const times = new Map<SharedSignalContender, Map<number, number[]>>(
    contenders.map((c) => [c, new Map(sizes.map((n) => [n, []]))]),
  );
  const runOnce = async (c: SharedSignalContender, n: number) => {
    const signal = new AbortController().signal;
    gc();
    const t0 = performance.now();
    const all = new Array<PromiseLike<unknown>>(n);
    for (let i = 0; i < n; i++) all[i] = c.start(signal, i);
    await Promise.all(all);
    return performance.now() - t0;
  };
  for (const c of contenders) {
    await c.setup?.();
    await runOnce(c, Math.min(small, 2000)); // warm-up
  }
  for (let round = 0; round < rounds; round++) {
    for (const n of sizes)
      for (const c of contenders)
        if (round < (c.rounds ?? rounds))
          times
            .get(c)!
            .get(n)!
            .push(await runOnce(c, n));
  }
  for (const c of contenders) await c.teardown?.();
  const at = (c: SharedSignalContender, n: number) => median(times.get(c)!.get(n)!);
  const k = (n: number) => `${n / 1000}k`;
  return [
    {
      name: `${name}: ${large.toLocaleString('en-US')} operations on one shared signal`,
      unit: 'ms',
      better: 'lower',
      target,
      results: contenders.map((c) => ({
        name: c.name,
        ours: c.ours,
        value: at(c, large),
        detail: { [k(small)]: at(c, small), rounds: times.get(c)!.get(large)!.map(Math.round) },
      })),
    },
    {
      name: `${name}: growth from ${small.toLocaleString('en-US')} to ${large.toLocaleString('en-US')} operations on one shared signal`,
      unit: 'x',
      better: 'lower',
      target: growthTarget,
      results: contenders.map((c) => ({
        name: c.name,
        ours: c.ours,
        value: at(c, large) / at(c, small),
        detail: { [`${k(small)} ms`]: at(c, small), [`${k(large)} ms`]: at(c, large) },
      })),
    },
  ];
}

/** Median of `rounds` runs of `fn`, in milliseconds. */
export async function timeMs(fn: () => unknown | Promise<unknown>, rounds = quick ? 1 : 5): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

export { median, percentile };
