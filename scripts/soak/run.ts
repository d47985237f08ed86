/**
 * `pnpm soak`: runs the fault scenarios (scripts/soak/scenarios.ts) against the built pools, prints one line
 * per scenario and writes scripts/soak/results.json. Loopback only, bounded in time (each scenario has a
 * deadline). Exits with code 1 when a task was lost or a scenario left a handle open.
 * Usage: `pnpm soak [--quick | --scale=0.25] [name filter]`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { ProcessPool } from '../../packages/process-pool/dist/index.js';
import { ThreadPool } from '../../packages/to-thread/dist/index.js';
import { type MakePool, runScenario, type ScenarioReport } from './harness.ts';
import { scenarios } from './scenarios.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const scaleArg = args.find((a) => a.startsWith('--scale='));
const scale = scaleArg ? Number(scaleArg.slice('--scale='.length)) : quick ? 0.05 : 1;
const filter = args.find((a) => !a.startsWith('--'));

const startHandles = process.getActiveResourcesInfo().length;
const reports: ScenarioReport[] = [];
const line = (r: ScenarioReport) =>
  [
    `${r.pool.padEnd(7)} ${r.name.padEnd(52)}`,
    `tasks ${String(r.tasks).padStart(6)}`,
    `ok ${String(r.ok).padStart(6)}`,
    `lost ${r.lost}`,
    `faults: kills ${r.kills}, hangs ${r.hangs}, ooms ${r.ooms}, aborts ${r.aborts}, timeouts ${r.timeouts}`,
    `crashed ${r.crashed} (${r.crashedPerFault.toFixed(2)}/fault)`,
    `aborted ${r.aborted}, timed out ${r.timedOut}, cancelled ${r.cancelled}`,
    `healthy after ${r.timeToHealthy < 0 ? 'n/a' : `${r.timeToHealthy} ms`}`,
    `${(r.durationMs / 1000).toFixed(1)} s`,
    `leaked: ${r.leakedHandles.length === 0 ? 'none' : r.leakedHandles.join(', ')}`,
  ].join(' | ');

for (const scenario of scenarios(scale)) {
  if (filter && !`${scenario.pool} ${scenario.name}`.includes(filter)) continue;
  const make: MakePool =
    scenario.pool === 'thread'
      ? (options) => new ThreadPool({ maxThreads: 2, ...options })
      : (options) => new ProcessPool({ maxWorkers: 2, ...options });
  const report = await runScenario(scenario, make);
  reports.push(report);
  console.log(line(report));
  for (const example of report.lostExamples) console.log(`    lost ${example}`);
}

const bad = reports.filter((r) => r.lost > 0 || r.leakedHandles.length > 0);
const endHandles = process.getActiveResourcesInfo();
console.log(
  `\n${reports.length} scenarios, ${reports.reduce((n, r) => n + r.tasks, 0)} tasks, ${reports.reduce((n, r) => n + r.lost, 0)} lost; handles at exit: ${endHandles.length} (${startHandles} at start: ${endHandles.join(', ') || 'none'})`,
);
if (!quick && !filter) {
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    scale,
    reports,
  };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
}
process.exitCode = bad.length > 0 ? 1 : 0;
