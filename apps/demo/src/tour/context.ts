import type { ScenarioContext } from './scenario.js';

/** The default time scale: the documents' delays run ten times faster, so the tour takes seconds. */
export const defaultScale = 0.1;

/**
 * Iterations of the CPU-bound workload. The article sums `range(10_000_000)`; V8 runs that loop in about
 * 15 ms, too short to see past a thread's start-up, so the tour sums ten times as many numbers
 * (about 0.1 s per call here). The sum stays below 2^53, so the result is exact.
 */
export const defaultCpuIterations = 100_000_000;

export interface ContextOptions {
  scale?: number;
  cpuIterations?: number;
  log?: (line: string) => void;
  step?: (label: string) => void;
  signal?: AbortSignal;
}

/** Builds the context a scenario runs with; tests call it directly to run one scenario scaled down. */
export function createContext(options: ContextOptions = {}): ScenarioContext {
  const scale = options.scale ?? defaultScale;
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(
      `The "options.scale" property must be a positive finite number. Received ${String(scale)}`,
    );
  }
  const cpuIterations = options.cpuIterations ?? defaultCpuIterations;
  if (!Number.isSafeInteger(cpuIterations) || cpuIterations < 1) {
    throw new RangeError(
      `The "options.cpuIterations" property must be a positive safe integer. Received ${String(cpuIterations)}`,
    );
  }
  return {
    scale,
    cpuIterations,
    ms: (documentMs) => Math.max(1, Math.round(documentMs * scale)),
    log: options.log ?? (() => {}),
    step: options.step ?? (() => {}),
    signal: options.signal ?? new AbortController().signal,
  };
}
