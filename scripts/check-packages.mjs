// Runs publint and @arethetypeswrong/cli on every package that has code. Exits non-zero on any problem.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { publishablePackages, root } from './packages.mjs';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let failed = 0;
for (const pkg of publishablePackages()) {
  if (!pkg.hasCode) {
    console.log(`- ${pkg.name}: no code yet, skipped`);
    continue;
  }
  for (const [tool, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    const r = spawnSync(bin(tool), args, { cwd: pkg.folder, encoding: 'utf8' });
    const ok = r.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? '✓' : '✗'} ${pkg.name}: ${tool}`);
    if (!ok) console.log((r.stdout + r.stderr).trim().replace(/^/gm, '    '));
  }
}
console.log(failed ? `package checks: ${failed} failed` : 'package checks: all clean');
process.exit(failed ? 1 : 0);
