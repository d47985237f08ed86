/**
 * Runs one soak scenario: a stream of tasks through a pool of 2 workers while faults are injected, then
 * accounts for every task. A task is *lost* unless it settled with its own value or with an error that
 * names a cause it was exposed to: its own abort or timeout, a crash of its worker (`WorkerCrashedError`),
 * a `shutdown({ cancelPending })`. A queue failed by the pool's "start-up is broken" verdict also counts as
 * lost: no scenario here breaks start-up, so that verdict would be a transient cause taken for a broken one.
 */
import { type Killer, processKiller, seeded, threadKiller } from './faults.ts';

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
const THREAD_NAME = '@x/soak';

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

/** The soak's account of one scenario. */
export interface ScenarioReport {
  name: string;
  pool: 'thread' | 'process';
  tasks: number;
  ok: number;
  /** Failed with `WorkerCrashedError` though the task itself was harmless: the price of the faults. */
  crashed: number;
  aborted: number;
  timedOut: number;
  cancelled: number;
  /** Must be 0. */
  lost: number;
  /** Up to 5 examples of lost tasks. */
  lostExamples: string[];
  /** Faults injected: kills that landed, tasks that hang, tasks that exhaust the heap, aborts, timeouts. */
  kills: number;
  hangs: number;
  ooms: number;
  aborts: number;
  timeouts: number;
  /** `crashed` per worker-ending fault (kill, hang, heap exhaustion). */
  crashedPerFault: number;
  /**
   * From the end of the kill storm (or of the run, without one) until a task succeeded again (ms); -1 when
   * the pool was shut down mid-run.
   */
  timeToHealthy: number;
  durationMs: number;
  /** Handles (by type) this scenario left open after its pool was shut down. */
  leakedHandles: string[];
}

const TRIVIAL = 0;
const CPU = 1;
const HANG = 2;
const OOM = 3;

/** The one task function (compiled once per worker). */
const work = (i: number, kind: number) => {
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

interface Plan {
  kind: number;
  abortReason?: Error;
  timeout?: number;
}

function planTasks(s: Scenario, random: () => number): Plan[] {
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

function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `s` on a pool from `make` and returns its account. Never throws for a fault of the pool: it reports it. */
export async function runScenario(s: Scenario, make: MakePool): Promise<ScenarioReport> {
  const random = seeded(s.seed ?? 20);
  const plans = planTasks(s, random);
  const before = handleCounts();
  // Instrumented before the pool exists, so that it sees every thread.
  const killer: Killer | undefined =
    s.killEvery === undefined ? undefined : s.pool === 'thread' ? threadKiller(THREAD_NAME) : undefined;
  const pool = make(s.pool === 'thread' ? { name: THREAD_NAME, ...s.options } : { ...s.options });
  const kill = killer ?? (s.killEvery === undefined ? undefined : processKiller(() => pool.pids ?? []));
  const report: ScenarioReport = {
    name: s.name,
    pool: s.pool,
    tasks: 0,
    ok: 0,
    crashed: 0,
    aborted: 0,
    timedOut: 0,
    cancelled: 0,
    lost: 0,
    lostExamples: [],
    kills: 0,
    hangs: 0,
    ooms: 0,
    aborts: 0,
    timeouts: 0,
    crashedPerFault: 0,
    timeToHealthy: -1,
    durationMs: 0,
    leakedHandles: [],
  };
  const settled = new Uint8Array(s.tasks);
  let stormEnd: number | undefined;
  let healthyAt: number | undefined;
  let shutdown: Promise<void> | undefined;
  const lose = (i: number, why: string) => {
    report.lost++;
    if (report.lostExamples.length < 5) report.lostExamples.push(`task ${i}: ${why}`);
  };
  const account = (i: number, ok: boolean, value: unknown) => {
    settled[i]!++;
    const plan = plans[i]!;
    if (ok) {
      if (value === i * 2 && plan.kind !== HANG && plan.kind !== OOM) report.ok++;
      else lose(i, `resolved with ${String(value)}`);
      if (stormEnd !== undefined) healthyAt ??= performance.now();
      return;
    }
    const error = value as Error;
    const code = (error as { code?: unknown } | undefined)?.code;
    if (plan.abortReason !== undefined && error === plan.abortReason) report.aborted++;
    else if (code === 'ERR_X_TIMEOUT' && plan.timeout !== undefined) report.timedOut++;
    else if (code === 'ERR_X_WORKER_CRASHED' && !/failed to start, \d+ in a row/.test(error.message)) {
      // Its message names the exit code or signal (and `cause`, the uncaught error, when there is one).
      if (plan.kind !== OOM) report.crashed++;
    } else if (
      shutdown !== undefined &&
      code === 'ERR_X_ABORTED' &&
      (error.cause as { code?: unknown } | undefined)?.code === 'ERR_X_POOL_CLOSED'
    )
      report.cancelled++;
    else lose(i, `${error?.name}: ${error?.message}`);
  };

  const t0 = performance.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  if (kill !== undefined) {
    timer = setInterval(() => {
      if (performance.now() - t0 > (s.killFor ?? Number.POSITIVE_INFINITY)) {
        clearInterval(timer);
        timer = undefined;
        stormEnd = performance.now();
        return;
      }
      if (kill.kill(random)) report.kills++;
    }, s.killEvery);
  }

  const monitor = process.env.SOAK_DEBUG
    ? setInterval(() => {
        const t = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(
          `  ${t} s: size ${pool.size}, queued ${pool.queued}, pending ${pool.pending}, settled ${done}, kills ${report.kills}`,
        );
      }, 1000)
    : undefined;
  const window = s.window ?? 256;
  let next = 0;
  let inflight = 0;
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const pump = () => {
    while (inflight < window && next < s.tasks && shutdown === undefined) submit(next++);
    if (inflight === 0 && (next >= s.tasks || shutdown !== undefined)) finish();
  };
  const submit = (i: number) => {
    const plan = plans[i]!;
    report.tasks++;
    if (plan.kind === HANG) report.hangs++;
    if (plan.kind === OOM) report.ooms++;
    if (plan.timeout === 1) report.timeouts++;
    let signal: AbortSignal | undefined;
    if (plan.abortReason !== undefined) {
      report.aborts++;
      const controller = new AbortController();
      signal = controller.signal;
      setTimeout(() => controller.abort(plan.abortReason), random() * (s.abortWithin ?? 10));
    }
    inflight++;
    let promise: Promise<unknown>;
    try {
      promise = pool.submit(work, [i, plan.kind], { signal, timeout: plan.timeout });
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise
      .then(
        (value) => account(i, true, value),
        (error: unknown) => account(i, false, error),
      )
      .finally(() => {
        inflight--;
        done++;
        if (s.shutdownAfter !== undefined && done >= s.shutdownAfter && shutdown === undefined)
          shutdown = pool.shutdown({ cancelPending: true });
        pump();
      });
  };
  pump();
  const deadline = s.deadline ?? 300_000;
  let expire: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([finished, new Promise((resolve) => (expire = setTimeout(resolve, deadline)))]);
  clearTimeout(expire);
  if (timer !== undefined) clearInterval(timer);
  clearInterval(monitor);
  stormEnd ??= performance.now();
  for (let i = 0; i < next; i++)
    if (settled[i] !== 1) lose(i, settled[i] === 0 ? 'never settled' : 'settled twice');

  if (shutdown === undefined && report.lost === 0) {
    // No task ran after the storm: probe until trivial tasks succeed again (no fault is injected any more).
    while (healthyAt === undefined) {
      const probes = await Promise.allSettled(
        [0, 1].map((n) => pool.submit(work, [n, TRIVIAL], { timeout: 30_000 })),
      );
      if (probes.every((p) => p.status === 'fulfilled') || performance.now() - stormEnd > 60_000)
        healthyAt = performance.now();
    }
    report.timeToHealthy = Math.round(healthyAt - stormEnd);
  }
  await (shutdown ?? pool.shutdown({ cancelPending: true }));
  kill?.close();
  report.durationMs = Math.round(performance.now() - t0);
  report.crashedPerFault =
    report.kills + report.hangs + report.ooms === 0
      ? 0
      : report.crashed / (report.kills + report.hangs + report.ooms);
  // Exits and closes are reported on the next turns.
  await delay(100);
  const after = handleCounts();
  for (const [type, n] of after) {
    const extra = n - (before.get(type) ?? 0);
    if (extra > 0) report.leakedHandles.push(`${type} x${extra}`);
  }
  return report;
}
