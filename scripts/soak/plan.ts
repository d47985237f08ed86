/**
 * The soak's vocabulary: a scenario, the pool it runs on, the tasks it plans and the one function they run.
 */

/**
 * What the soak needs of a pool (`ThreadPool` and `ProcessPool` both are one). The harness imports no package
 * of ours: each package's CI test hands it its own pool, `pnpm soak` hands it both.
 */
export interface SoakPool {
  submit(
    fn: (...args: any[]) => unknown,
    args: unknown[],
    options?: { signal?: AbortSignal | undefined; timeout?: number | undefined },
  ): Promise<unknown>;
  shutdown(options?: { cancelPending?: boolean }): Promise<void>;
  readonly size: number;
  readonly queued: number;
  readonly pending: number;
  /** Process ids of its children (a `ProcessPool`). */
  readonly pids?: number[];
}

/** Makes the pool of a scenario: 2 workers, with `options` on top. */
export type MakePool = (options: Record<string, unknown>) => SoakPool;

/** The thread name the harness gives a thread pool, to find its threads. */
export const THREAD_NAME = '@x/soak';

/** What a scenario does; every `oneIn` is "1 task in n" (0: none). */
export interface Scenario {
  name: string;
  pool: 'thread' | 'process';
  tasks: number;
  /** Pool options on top of 2 workers. */
  options?: Record<string, unknown>;
  /** Kill a random worker (SIGKILL / terminate) every this many ms ... */
  killEvery?: number;
  /** ... for at most this long (ms) from the start. Default: the whole run. */
  killFor?: number;
  /** A 3 ms CPU task instead of a trivial one. */
  cpuOneIn?: number;
  /** Aborted at a random moment within `abortWithin` ms of its submission. */
  abortOneIn?: number;
  abortWithin?: number;
  /** `timeout: 1`. */
  timeoutOneIn?: number;
  /** Hangs in synchronous code, under `timeout: hangTimeout`. */
  hangOneIn?: number;
  hangTimeout?: number;
  /** Allocates until its worker's heap is exhausted (give the pool a small heap). */
  oomOneIn?: number;
  /** `shutdown({ cancelPending: true })` once this many tasks have settled; no task is submitted after. */
  shutdownAfter?: number;
  /** Tasks in flight at once (the submitter's window). Default: 256. */
  window?: number;
  /** The run is abandoned (unsettled tasks count as lost) after this many ms. Default: 300000. */
  deadline?: number;
  seed?: number;
}

export const TRIVIAL = 0;
export const CPU = 1;
export const HANG = 2;
export const OOM = 3;

/** The one task function (compiled once per worker). */
export const work = (i: number, kind: number) => {
  if (kind === 1) {
    const end = performance.now() + 3;
    while (performance.now() < end);
  } else if (kind === 2) for (;;);
  else if (kind === 3) {
    const hog: number[][] = [];
    for (;;) hog.push(new Array(100_000).fill(i));
  }
  return i * 2;
};

export interface Plan {
  kind: number;
  abortReason?: Error;
  timeout?: number;
}

export function planTasks(s: Scenario, random: () => number): Plan[] {
  const one = (n: number | undefined) => n !== undefined && n > 0 && random() < 1 / n;
  return Array.from({ length: s.tasks }, (_, i) => {
    const plan: Plan = { kind: TRIVIAL };
    if (one(s.hangOneIn)) {
      plan.kind = HANG;
      plan.timeout = s.hangTimeout ?? 50;
    } else if (one(s.oomOneIn)) plan.kind = OOM;
    else if (one(s.cpuOneIn)) plan.kind = CPU;
    if (plan.kind !== HANG && one(s.timeoutOneIn)) plan.timeout = 1;
    if (one(s.abortOneIn)) plan.abortReason = new Error(`soak: task ${i} aborted`);
    return plan;
  });
}
