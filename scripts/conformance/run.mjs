#!/usr/bin/env node
// The runtime conformance run: every package's public behaviour (suites/), against the packages' build (or,
// with --packed, their packed tarballs), on Node 20 (this Node), 22 and 24, Bun, Deno (with the permissions
// the worker packages need, and with none), an edge-style global scope and headless Chromium (a page and a
// Web Worker). Prints one line per runtime, writes every record to --out (default .out/results.json) and ends
// with "N passed, N failed"; exits 1 on any failure. Build first (`pnpm build`).
//
//   node scripts/conformance/run.mjs [--packed] [--out FILE] [--only node22,bun,...]
//                                    [--no-bench | --bench-only] [--bench-rounds N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { base, usePacked } from './base.mjs';
import { runNative, runSuites, writeEntry } from './native.mjs';
import { packages } from './packages.mjs';
import { denoWithoutPermissions, nativeRuntimes, versionOf } from './runtimes.mjs';
import { runTypes } from './types.mjs';
import { runChromium, runEdge } from './web.mjs';

const here = import.meta.dirname;
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const outFile = path.resolve(opt('--out') ?? path.join(here, '.out', 'results.json'));
const only = opt('--only')?.split(',');
const suitesToo = !args.includes('--bench-only');
const wanted = (id) => suitesToo && (!only || only.includes(id));
const benchWanted = (id) => !only || only.includes(id);

// A package listed in packages.mjs is linked here if this folder's package.json does not list it yet, so that
// adding a package to the run is one line there (list it in package.json too, for pnpm to keep the link).
for (const p of packages) {
  const link = path.join(here, 'node_modules', '@x', p.name);
  if (!fs.existsSync(link)) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), path.join(here, '..', '..', 'packages', p.name)), link);
  }
}

if (args.includes('--packed'))
  console.log(`testing the packed tarballs, unpacked in ${path.relative(process.cwd(), usePacked())}`);

const hasSuite = (name) => fs.existsSync(path.join(base, 'suites', `${name}.mjs`));
const split = (list) => ({
  suites: list.filter((p) => hasSuite(p.name)).map((p) => [p.name, p.name]),
  loads: list.filter((p) => !hasSuite(p.name)).map((p) => p.name),
});

const runs = [];
async function record(runtime, promise) {
  const t0 = Date.now();
  const results = await promise;
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  runs.push({
    id: runtime.id,
    label: runtime.label,
    version: runtime.version,
    results,
    seconds: (Date.now() - t0) / 1000,
  });
  console.log(
    `${runtime.label.padEnd(24)} ${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  for (const r of results.filter((x) => !x.ok)) console.log(`  FAIL ${r.pkg}: ${r.name}: ${r.error}`);
}

if (process.versions.node.split('.')[0] !== '20') {
  console.warn(
    `note: this Node is ${process.version}; its row and the throughput baseline stand for "Node 20" only under Node 20.`,
  );
}

const all = split(packages);
const nativeEntry = writeEntry('native', all.suites, all.loads);
for (const runtime of nativeRuntimes()) {
  if (!wanted(runtime.id)) continue;
  runtime.version = versionOf(runtime, spawnSync);
  await record(runtime, runSuites(runtime, nativeEntry));
}

const deno = denoWithoutPermissions();
if (wanted(deno.id)) {
  const pure = split(packages.filter((p) => p.pure));
  const entry = writeEntry(
    'deno-no-permissions',
    [...pure.suites, ['executor', 'executor'], ['to-thread', 'deno-no-permissions']],
    pure.loads,
  );
  deno.version = versionOf(deno, spawnSync);
  await record(deno, runSuites(deno, entry));
}

const pure = packages.filter((p) => p.pure);
if (wanted('edge')) await record({ id: 'edge', label: 'Edge-style worker (vm)' }, runEdge(pure));
if (wanted('chromium') || wanted('chromium-worker')) {
  const chromium = runChromium(pure);
  await record(
    { id: 'chromium', label: 'Chromium page' },
    chromium.then((r) => r.page),
  );
  await record(
    { id: 'chromium-worker', label: 'Chromium Web Worker' },
    chromium.then((r) => r.worker),
  );
  const { version } = await chromium;
  for (const r of runs.filter((x) => x.id.startsWith('chromium'))) r.version = version;
}

// Throughput relative to Node 20, in the same run (no targets: to know, and to say it in the README).
const bench = [];
if (!args.includes('--no-bench')) {
  // Interleaved rounds, median per runtime: one noisy moment of a shared machine then moves one sample, not
  // a runtime's figure.
  const rounds = Number(opt('--bench-rounds') ?? 3);
  const benchEntry = writeEntry('bench');
  const samples = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const runtime of nativeRuntimes()) {
      if (!benchWanted(runtime.id)) continue;
      const { value, problems } = await runNative(runtime, benchEntry);
      if (value)
        samples.set(runtime.id, { runtime, values: [...(samples.get(runtime.id)?.values ?? []), value] });
      for (const p of problems) console.log(`  bench on ${runtime.label}: ${p.error}`);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const { runtime, values } of samples.values()) {
    bench.push({
      id: runtime.id,
      label: runtime.label,
      rounds: values.length,
      gather: median(values.map((v) => v.gather)),
      timeout: median(values.map((v) => v.timeout)),
    });
  }
  const base = bench.find((b) => b.id === 'node20');
  console.log(`throughput (ops/s, median of ${rounds} interleaved rounds, and relative to Node 20):`);
  for (const b of bench) {
    const rel = (k) => (base ? ` (${(b[k] / base[k]).toFixed(2)}x)` : '');
    console.log(
      `  ${b.label.padEnd(24)} gather ${b.gather}${rel('gather')}  timeout ${b.timeout}${rel('timeout')}`,
    );
  }
}

if (wanted('types')) {
  await record(
    { id: 'types', label: 'TypeScript, DOM lib only' },
    Promise.resolve().then(() => runTypes(pure)),
  );
}

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify({ packages, runs, bench }, null, 2)}\n`);
const passed = runs.reduce((n, r) => n + r.results.filter((x) => x.ok).length, 0);
const failed = runs.reduce((n, r) => n + r.results.filter((x) => !x.ok).length, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
