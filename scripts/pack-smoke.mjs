// Packs every package that has code, installs the tarballs into a fresh project with npm, and imports
// each one from ESM and from CommonJS, the way users will get them. Exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishablePackages } from './packages.mjs';

const pnpm = process.env.npm_execpath;
const pkgs = publishablePackages().filter((p) => p.hasCode);
if (!pkgs.length) {
  console.log('pack smoke: no package has code yet');
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'x-pack-smoke-'));
const tarballs = path.join(work, 'tarballs');
fs.mkdirSync(tarballs);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

for (const pkg of pkgs) {
  // pnpm pack rewrites workspace: ranges to real versions, as publishing does.
  if (pnpm) run(process.execPath, [pnpm, 'pack', '--pack-destination', tarballs], pkg.folder);
  else run('npx', ['--yes', 'pnpm@10', 'pack', '--pack-destination', tarballs], pkg.folder);
}
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'smoke-app', private: true }));
const files = fs.readdirSync(tarballs).map((f) => path.join(tarballs, f));
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], app);

let failed = 0;
for (const pkg of pkgs) {
  const esm = `const m = await import(${JSON.stringify(pkg.name)}); const k = Object.keys(m).filter((k) => k !== 'default'); if (!k.length) throw new Error('no exports'); console.log(k.join(','));`;
  const cjs = `const m = require(${JSON.stringify(pkg.name)}); const k = Object.keys(m); if (!k.length) throw new Error('no exports'); console.log(k.join(','));`;
  for (const [kind, args] of [
    ['esm', ['--input-type=module', '-e', esm]],
    ['cjs', ['--input-type=commonjs', '-e', cjs]],
  ]) {
    try {
      const out = run(process.execPath, args, app).trim();
      console.log(`✓ ${pkg.name} (${kind}): ${out}`);
    } catch (error) {
      failed++;
      console.log(`✗ ${pkg.name} (${kind}): ${error.message.split('\n')[0]}`);
    }
  }
}
fs.rmSync(work, { recursive: true, force: true });
console.log(
  failed ? `pack smoke: ${failed} failed` : `pack smoke: ${pkgs.length} packages import from ESM and CJS`,
);
process.exit(failed ? 1 : 0);
