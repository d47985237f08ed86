/** The soak's account of a run: how each task settled, and whether its plan allows that. */
import { HANG, OOM, type Plan, type Scenario } from './plan.ts';

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

function emptyReport(s: Scenario): ScenarioReport {
  return {
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
}

/** The account of a run: how each task settled, and whether that is what its plan allows. */
export class Ledger {
  readonly report: ScenarioReport;
  readonly #plans: Plan[];
  readonly #settled: Uint8Array;
  /** When the kill storm ended, and the first success after it. */
  stormEnd: number | undefined;
  healthyAt: number | undefined;
  /** The pool was shut down mid-run: cancellations are expected from then on. */
  shutDown = false;

  constructor(s: Scenario, plans: Plan[]) {
    this.report = emptyReport(s);
    this.#plans = plans;
    this.#settled = new Uint8Array(plans.length);
  }

  /** Task `i` is being submitted: counts the faults its plan injects. */
  submitted(i: number): void {
    const plan = this.#plans[i]!;
    const report = this.report;
    report.tasks++;
    if (plan.kind === HANG) report.hangs++;
    if (plan.kind === OOM) report.ooms++;
    if (plan.timeout === 1) report.timeouts++;
    if (plan.abortReason !== undefined) report.aborts++;
  }

  settled(i: number, ok: boolean, value: unknown): void {
    this.#settled[i]!++;
    const plan = this.#plans[i]!;
    const report = this.report;
    if (ok) {
      if (value === i * 2 && plan.kind !== HANG && plan.kind !== OOM) report.ok++;
      else this.#lose(i, `resolved with ${String(value)}`);
      if (this.stormEnd !== undefined) this.healthyAt ??= performance.now();
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
      this.shutDown &&
      code === 'ERR_X_ABORTED' &&
      (error.cause as { code?: unknown } | undefined)?.code === 'ERR_X_POOL_CLOSED'
    )
      report.cancelled++;
    else this.#lose(i, `${error?.name}: ${error?.message}`);
  }

  /** The run is over: every task submitted must have settled exactly once. */
  close(submitted: number): void {
    for (let i = 0; i < submitted; i++) {
      const n = this.#settled[i]!;
      if (n !== 1) this.#lose(i, n === 0 ? 'never settled' : 'settled twice');
    }
  }

  #lose(i: number, why: string): void {
    this.report.lost++;
    if (this.report.lostExamples.length < 5) this.report.lostExamples.push(`task ${i}: ${why}`);
  }
}
