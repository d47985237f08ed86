// Packs every package that has code (with scripts/pack-all.mjs, as the README tells users to), checks each
// tarball carries a LICENSE, installs them into a fresh project with the README's own line
// (`npm install <folder>/*.tgz`), and imports each one from ESM and from CommonJS, the way users will get
// them. Exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packAll } from './pack-all.mjs';
import { callPrograms } from './package-calls.mjs';
import { publishablePackages } from './packages.mjs';

const pkgs = publishablePackages().filter((p) => p.hasCode);
if (!pkgs.length) {
  console.log('pack smoke: no package has code yet');
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'x-pack-smoke-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const files = packAll(path.join(work, 'x-packs'), { quiet: true });
let failed = 0;
for (const file of files) {
  const entries = run('tar', ['-tzf', file], work).split('\n');
  const missing = ['package/LICENSE', 'package/README.md', 'package/package.json'].filter(
    (entry) => !entries.includes(entry),
  );
  if (missing.length) {
    failed++;
    console.log(`✗ ${path.basename(file)}: missing ${missing.join(', ')}`);
  } else console.log(`✓ ${path.basename(file)}: LICENSE, README.md, package.json`);
}
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'smoke-app', private: true }));
// The root README's install line, glob and all: every package together, so dependencies on @x/executor resolve.
run('sh', ['-c', 'npm install --no-audit --no-fund --loglevel=error ../x-packs/*.tgz'], app);

// Beyond importing: one real call per package (scripts/package-calls.mjs).
for (const pkg of pkgs) {
  for (const [kind, args, expected, call] of callPrograms(pkg.name)) {
    try {
      const out = run(process.execPath, args, app).trim();
      if (out !== expected) throw new Error(`expected ${expected}, got ${out}`);
      console.log(`✓ ${pkg.name} (${kind}): ${call} -> ${out}`);
    } catch (error) {
      failed++;
      console.log(`✗ ${pkg.name} (${kind}): ${error.message.split('\n')[0]}`);
    }
  }
}
// The packages compose in one app: the pools' TimeoutError is the one @x/timeout exports (one identity
// across separately bundled packages), in both module systems.
if (pkgs.some((p) => p.name === '@x/to-thread') && pkgs.some((p) => p.name === '@x/timeout')) {
  const body =
    'console.log(String(new Pooled(1) instanceof TimeoutError && new TimeoutError(1) instanceof Pooled));';
  for (const [kind, args] of [
    [
      'esm',
      [
        '--input-type=module',
        '-e',
        `import { TimeoutError as Pooled } from '@x/to-thread'; import { TimeoutError } from '@x/timeout'; ${body}`,
      ],
    ],
    [
      'cjs',
      [
        '--input-type=commonjs',
        '-e',
        `const { TimeoutError: Pooled } = require('@x/to-thread'); const { TimeoutError } = require('@x/timeout'); ${body}`,
      ],
    ],
  ]) {
    try {
      const out = run(process.execPath, args, app).trim();
      if (out !== 'true') throw new Error(`expected true, got ${out}`);
      console.log(
        `✓ @x/to-thread + @x/timeout (${kind}): the pools' TimeoutError and @x/timeout's are one class`,
      );
    } catch (error) {
      failed++;
      console.log(`✗ @x/to-thread + @x/timeout (${kind}): ${error.message.split('\n')[0]}`);
    }
  }
}
fs.rmSync(work, { recursive: true, force: true });
console.log(
  failed ? `pack smoke: ${failed} failed` : `pack smoke: ${pkgs.length} packages import from ESM and CJS`,
);
process.exit(failed ? 1 : 0);
