/**
 * Runs one soak scenario: a stream of tasks through a pool of 2 workers while faults are injected, then
 * accounts for every task. A task is *lost* unless it settled with its own value or with an error that
 * names a cause it was exposed to: its own abort or timeout, a crash of its worker (`WorkerCrashedError`),
 * a `shutdown({ cancelPending })`. A queue failed by the pool's "start-up is broken" verdict also counts as
 * lost: no scenario here breaks start-up, so that verdict would be a transient cause taken for a broken one.
 */
import { type Killer, processKiller, seeded, threadKiller } from './faults.ts';
import { Ledger, type ScenarioReport } from './ledger.ts';
import {
  type MakePool,
  type Plan,
  planTasks,
  type Scenario,
  type SoakPool,
  THREAD_NAME,
  TRIVIAL,
  work,
} from './plan.ts';

export type { MakePool, Scenario, ScenarioReport, SoakPool };

function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills a random worker every `s.killEvery` ms until `s.killFor` ms have passed; returns the stop function. */
function startStorm(s: Scenario, kill: Killer | undefined, ledger: Ledger, random: () => number): () => void {
  if (kill === undefined || s.killEvery === undefined) return () => {};
  const t0 = performance.now();
  const timer = setInterval(() => {
    if (performance.now() - t0 > (s.killFor ?? Number.POSITIVE_INFINITY)) stop();
    else if (kill.kill(random)) ledger.report.kills++;
  }, s.killEvery);
  const stop = () => {
    clearInterval(timer);
    ledger.stormEnd ??= performance.now();
  };
  return stop;
}

/**
 * Submits the planned tasks with at most `s.window` in flight, aborting the planned ones at a random moment,
 * and shuts the pool down after `s.shutdownAfter` settled. Resolves with how many were submitted once all of
 * those settled, or at the deadline.
 */
async function submitAll(
  s: Scenario,
  pool: SoakPool,
  plans: Plan[],
  ledger: Ledger,
  random: () => number,
): Promise<{ submitted: number; shutdown: Promise<void> | undefined }> {
  const window = s.window ?? 256;
  let next = 0;
  let inflight = 0;
  let done = 0;
  let shutdown: Promise<void> | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const pump = () => {
    while (inflight < window && next < plans.length && shutdown === undefined) submit(next++);
    if (inflight === 0 && (next >= plans.length || shutdown !== undefined)) finish();
  };
  const submit = (i: number) => {
    const plan = plans[i]!;
    ledger.submitted(i);
    let signal: AbortSignal | undefined;
    if (plan.abortReason !== undefined) {
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
        (value) => ledger.settled(i, true, value),
        (error: unknown) => ledger.settled(i, false, error),
      )
      .finally(() => {
        inflight--;
        done++;
        if (s.shutdownAfter !== undefined && done >= s.shutdownAfter && shutdown === undefined) {
          ledger.shutDown = true;
          shutdown = pool.shutdown({ cancelPending: true });
        }
        pump();
      });
  };
  const monitor = process.env.SOAK_DEBUG
    ? setInterval(() => {
        console.log(`  size ${pool.size}, queued ${pool.queued}, pending ${pool.pending}, settled ${done}`);
      }, 1000)
    : undefined;
  pump();
  let expire: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise((resolve) => (expire = setTimeout(resolve, s.deadline ?? 300_000)));
  await Promise.race([finished, deadline]);
  clearTimeout(expire);
  clearInterval(monitor);
  return { submitted: next, shutdown };
}

/** Submits trivial tasks until they succeed again (no fault is injected any more); gives up after 60 s. */
async function probeHealthy(pool: SoakPool, since: number): Promise<number> {
  for (;;) {
    const probes = await Promise.allSettled(
      [0, 1].map((n) => pool.submit(work, [n, TRIVIAL], { timeout: 30_000 })),
    );
    if (probes.every((p) => p.status === 'fulfilled') || performance.now() - since > 60_000)
      return performance.now();
  }
}

/** Runs `s` on a pool from `make` and returns its account. Never throws for a fault of the pool: it reports it. */
export async function runScenario(s: Scenario, make: MakePool): Promise<ScenarioReport> {
  const random = seeded(s.seed ?? 20);
  const plans = planTasks(s, random);
  const before = handleCounts();
  const t0 = performance.now();
  // Instrumented before the pool exists, so that it sees every thread.
  const threads = s.killEvery !== undefined && s.pool === 'thread' ? threadKiller(THREAD_NAME) : undefined;
  const pool = make(s.pool === 'thread' ? { name: THREAD_NAME, ...s.options } : { ...s.options });
  const kill = threads ?? (s.killEvery === undefined ? undefined : processKiller(() => pool.pids ?? []));
  const ledger = new Ledger(s, plans);
  const report = ledger.report;

  const stopStorm = startStorm(s, kill, ledger, random);
  const { submitted, shutdown } = await submitAll(s, pool, plans, ledger, random);
  stopStorm();
  ledger.stormEnd ??= performance.now();
  ledger.close(submitted);
  const stormEnd = ledger.stormEnd!;
  if (shutdown === undefined && report.lost === 0) {
    ledger.healthyAt ??= await probeHealthy(pool, stormEnd);
    report.timeToHealthy = Math.round(ledger.healthyAt - stormEnd);
  }
  await (shutdown ?? pool.shutdown({ cancelPending: true }));
  kill?.close();
  report.durationMs = Math.round(performance.now() - t0);
  const faults = report.kills + report.hangs + report.ooms;
  report.crashedPerFault = faults === 0 ? 0 : report.crashed / faults;
  // Exits and closes are reported on the next turns.
  await delay(100);
  for (const [type, n] of handleCounts()) {
    const extra = n - (before.get(type) ?? 0);
    if (extra > 0) report.leakedHandles.push(`${type} x${extra}`);
  }
  return report;
}
