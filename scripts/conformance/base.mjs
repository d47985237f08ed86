// Where the suites run from: this folder (the workspace's built packages, through pnpm's links), or with
// --packed a copy of the suites beside the packages as npm would install their packed tarballs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packAll } from '../pack-all.mjs';

const here = import.meta.dirname;

/** The folder holding harness.mjs, suites/, fixtures/ and the node_modules the suites resolve `@x/*` from. */
export let base = here;

/**
 * Packs every public package (`pnpm pack`, as publishing does), unpacks each into `.out/packed/node_modules`,
 * copies the suites beside them, and makes that folder the base: the run then tests the tarballs' contents.
 */
export function usePacked() {
  const dir = path.join(here, '.out', 'packed');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node_modules', '@x'), { recursive: true });
  for (const f of ['harness.mjs', 'bench.mjs', 'timers-probe.mjs', 'suites', 'fixtures']) {
    fs.cpSync(path.join(here, f), path.join(dir, f), { recursive: true });
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  for (const tarball of packAll(path.join(dir, 'tarballs'), { quiet: true })) {
    const unpacked = path.join(dir, 'tarballs', path.basename(tarball, '.tgz'));
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    const { name } = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
    fs.renameSync(unpacked, path.join(dir, 'node_modules', name));
  }
  base = dir;
  return dir;
}
