/**
 * Runs every `bench/*.bench.ts` of the package in the current directory, prints each workload with our
 * ratio to every peer from the same run, and writes `bench/results.json`.
 * Usage (from a package): `tsx ../../scripts/bench/run.ts [filter]`; BENCH_QUICK=1 for a short smoke run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Workload } from './kit.ts';

const cwd = process.cwd();
const pkg = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { name: string };
const filter = process.argv[2];
const files = fs
  .readdirSync(path.join(cwd, 'bench'))
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

const fmt = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 ? n.toFixed(2) : n.toPrecision(3);

/** Our value divided by the peer's: for ops/s above 1 means faster, for µs/ms below 1 means faster. */
export function ratios(w: Workload): Array<{ peer: string; ratio: number; faster: boolean }> {
  const ours = w.results.find((r) => r.ours);
  if (!ours) return [];
  return w.results
    .filter((r) => !r.ours)
    .map((r) => {
      const ratio = ours.value / r.value;
      return { peer: r.name, ratio, faster: w.better === 'higher' ? ratio > 1 : ratio < 1 };
    });
}

const workloads: Array<Workload & { file: string }> = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(cwd, 'bench', file)).href)) as {
    default: () => Promise<Workload[]>;
  };
  console.log(`\n${pkg.name} — ${file}`);
  for (const w of await mod.default()) {
    workloads.push({ ...w, file });
    console.log(`\n  ${w.name} [${w.unit}, ${w.better} is better]${w.target ? `  target: ${w.target}` : ''}`);
    for (const r of w.results)
      console.log(`    ${r.ours ? '*' : ' '} ${r.name.padEnd(44)} ${fmt(r.value).padStart(14)} ${w.unit}`);
    for (const { peer, ratio, faster } of ratios(w))
      console.log(`      ours / ${peer}: ${ratio.toFixed(2)}x (${faster ? 'ours faster' : 'ours slower'})`);
  }
}

const out = {
  package: pkg.name,
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  quick: process.env.BENCH_QUICK === '1',
  workloads: workloads.map((w) => ({ ...w, ratios: ratios(w) })),
};
if (filter) {
  console.log('\n(filtered run: bench/results.json left unchanged)');
} else {
  fs.writeFileSync(path.join(cwd, 'bench', 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(cwd, 'bench', 'results.json'))}`);
}
// Pools or timers a bench forgot to close must not keep the run alive.
process.exit(0);
