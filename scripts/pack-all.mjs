// Packs every public package into one folder (default: x-packs/ at the repository root), so an app can
// install them together while they are not on a registry:
//   npx --yes pnpm@10 pack:all
//   npm install /path/to/x-concurrency/x-packs/*.tgz     (in the app)
// Together matters: @x/to-thread, @x/process-pool and @x/sync-bridge depend on @x/executor, which npm can
// only find among the tarballs it is given. Run after a build (`pnpm pack:all` builds first).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { publishablePackages, root } from './packages.mjs';

/**
 * Packs every public package that has code into `destination` (emptied of old tarballs first) and returns
 * the tarball paths. pnpm pack rewrites `workspace:` ranges to real versions, as publishing does.
 */
export function packAll(destination = path.join(root, 'x-packs'), { quiet = false } = {}) {
  fs.mkdirSync(destination, { recursive: true });
  for (const old of fs.readdirSync(destination)) {
    if (old.endsWith('.tgz')) fs.rmSync(path.join(destination, old));
  }
  const pnpm = process.env.npm_execpath;
  const pkgs = publishablePackages().filter((p) => p.hasCode);
  for (const pkg of pkgs) {
    if (!fs.existsSync(path.join(pkg.folder, 'dist'))) {
      throw new Error(`${pkg.name} has no dist/: run \`npx --yes pnpm@10 build\` first.`);
    }
    const args = ['pack', '--pack-destination', destination];
    const options = { cwd: pkg.folder, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' };
    // Under `pnpm run`, npm_execpath is pnpm's own entry: reuse it rather than fetching pnpm again.
    if (pnpm && /pnpm/.test(path.basename(pnpm))) execFileSync(process.execPath, [pnpm, ...args], options);
    else execFileSync('npx', ['--yes', 'pnpm@10', ...args], options);
    if (!quiet) console.log(`packed ${pkg.name}`);
  }
  return fs
    .readdirSync(destination)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => path.join(destination, f));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const destination = path.resolve(process.argv[2] ?? path.join(root, 'x-packs'));
  const files = packAll(destination);
  console.log(
    `\n${files.length} packages in ${path.relative(process.cwd(), destination) || '.'}/. In your app:`,
  );
  console.log(`  npm install ${destination}/*.tgz`);
}
