// Where each runtime of the conformance run comes from. Every version is pinned by this folder's
// package.json (and the lockfile): Node 22 and 24 and Deno from npm, Bun from the root's pinned `bun`, and
// Node 20 is the Node that runs CI itself. Chromium is Debian's package, as for the demo's browser test.
import fs from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');

function platformBinary(pkgDir, scopeDir, binary) {
  // An npm launcher package (`bun`, `deno`) finds its binary in a sibling platform package under pnpm.
  const real = fs.realpathSync(pkgDir);
  const scope = path.join(real, '..', scopeDir);
  if (!fs.existsSync(scope)) return undefined;
  for (const d of fs.readdirSync(scope)) {
    const candidate = path.join(scope, d, binary);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const CHROMIUM = '/usr/bin/chromium';

/** The native runtimes: label, binary, and the arguments that run an entry module. */
export function nativeRuntimes() {
  const node = (major) => path.join(here, 'node_modules', `node-${major}`, 'bin', 'node');
  const bun = platformBinary(path.join(root, 'node_modules', 'bun'), '@oven', 'bin/bun');
  const deno = platformBinary(path.join(here, 'node_modules', 'deno'), '@deno', 'deno');
  return [
    { id: 'node20', label: `Node ${process.versions.node}`, bin: process.execPath, args: [] },
    { id: 'node22', label: 'Node 22', bin: node(22), args: [] },
    { id: 'node24', label: 'Node 24', bin: node(24), args: [] },
    { id: 'bun', label: 'Bun', bin: bun, args: [] },
    // The worker packages need these, and nothing more (see the permission checks in suites/deno-no-permissions.mjs).
    { id: 'deno', label: 'Deno', bin: deno, args: ['run', '--allow-read', '--allow-env', '--allow-run'] },
  ];
}

/** Deno with no permission at all: the pure packages must still work, the worker packages must say what they lack. */
export function denoWithoutPermissions() {
  const deno = nativeRuntimes().find((r) => r.id === 'deno');
  return { ...deno, id: 'deno-noperm', label: 'Deno (no permissions)', args: ['run'] };
}

/** `--version` of a binary, for the report. */
export function versionOf(runtime, spawnSync) {
  if (!runtime.bin || !fs.existsSync(runtime.bin)) return undefined;
  const r = spawnSync(runtime.bin, ['--version'], { encoding: 'utf8' });
  return (r.stdout || '').split('\n')[0].trim();
}
