import { createContext } from '../src/tour/context.js';
import type { Outcome, Scenario } from '../src/tour/scenario.js';

/** The scale the scenario tests run at: the documents' delays ×0.05 (2 s -> 100 ms). */
export const testScale = 0.05;

/** Runs one scenario scaled down, collecting its narration. */
export async function runScenario<Data extends object>(
  scenario: Scenario<Data>,
  options: { scale?: number; cpuIterations?: number } = {},
): Promise<Outcome<Data> & { lines: string[] }> {
  const lines: string[] = [];
  const ctx = createContext({
    scale: options.scale ?? testScale,
    cpuIterations: options.cpuIterations,
    log: (line) => lines.push(line),
  });
  const outcome = await scenario.run(ctx);
  return { ...outcome, lines };
}
