import { createColors, type OutputStream, shouldColor } from './colors.js';
import { createContext, defaultScale } from './context.js';
import { formatHeader, formatNarration, formatResult, type ScenarioResult } from './output.js';
import { createProgress } from './progress.js';
import type { Scenario } from './scenario.js';

export interface TourOptions {
  /** Time scale of the documents' delays (1 = as written). Default 0.1. */
  scale?: number;
  /** Iterations of the CPU-bound workload. */
  cpuIterations?: number;
  /** Print nothing while running (the caller prints JSON at the end). */
  quiet?: boolean;
  /** Where the tour writes. Default `process.stdout`. */
  stdout?: OutputStream;
  env?: NodeJS.ProcessEnv;
  /** Stops the tour: the running scenario's signal is aborted and no further scenario starts. */
  signal?: AbortSignal;
  /** A scenario that takes longer than this is stopped and reported as differing. Default 60 s. */
  scenarioTimeoutMs?: number;
}

export interface TourReport {
  results: ScenarioResult[];
  durationMs: number;
  scale: number;
}

/**
 * Runs `scenarios` one after another, printing each one's source, expectation, narration and measured
 * outcome. A scenario that throws or overruns is reported as differing; the tour goes on.
 */
export async function runTour(
  scenarios: readonly Scenario<object>[],
  options: TourOptions = {},
): Promise<TourReport> {
  const stdout = options.stdout ?? process.stdout;
  const colors = createColors(!options.quiet && shouldColor(stdout, options.env));
  const progress = createProgress(stdout, colors, { quiet: options.quiet });
  const scale = options.scale ?? defaultScale;
  const limitMs = options.scenarioTimeoutMs ?? 60_000;
  const results: ScenarioResult[] = [];
  const tourStart = performance.now();

  for (const [index, scenario] of scenarios.entries()) {
    if (options.signal?.aborted) break;
    if (!options.quiet) progress.print(formatHeader(scenario, index, scenarios.length, colors));
    progress.start(scenario.id);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const ctx = createContext({
      scale,
      cpuIterations: options.cpuIterations,
      signal: controller.signal,
      log: (line) => progress.print(formatNarration(line, colors)),
      step: (label) => progress.step(label),
    });
    const started = performance.now();
    let measured: string;
    let ok: boolean;
    let timer: NodeJS.Timeout | undefined;
    try {
      const overrun = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`did not finish within ${limitMs / 1000} s and was stopped`);
          controller.abort(error);
          reject(error);
        }, limitMs);
      });
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      // The race's losers must not reject unhandled later.
      overrun.catch(() => {});
      aborted.catch(() => {});
      ({ measured, ok } = await Promise.race([scenario.run(ctx), overrun, aborted]));
    } catch (error) {
      measured = `failed: ${describeError(error)}`;
      ok = false;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (!controller.signal.aborted) controller.abort(new Error('scenario finished'));
    }
    progress.stop();
    const result: ScenarioResult = {
      id: scenario.id,
      title: scenario.title,
      source: scenario.source,
      expected: scenario.expected,
      measured,
      ok,
    };
    results.push(result);
    if (!options.quiet) progress.print(formatResult(result, performance.now() - started, colors));
  }
  return { results, durationMs: performance.now() - tourStart, scale };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
