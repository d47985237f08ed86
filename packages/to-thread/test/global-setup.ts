// Tests run the built package (threads start from dist/worker.js): rebuild when a source is newer.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const newest = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce(
      (max, e) =>
        Math.max(
          max,
          e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs,
        ),
      0,
    );

export default function setup() {
  for (const pkg of ['../executor', '.']) {
    const root = path.resolve(import.meta.dirname, '..', pkg);
    const built = path.join(root, 'dist', 'index.d.ts');
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(root, 'src'))) {
      execSync('npx tsup', { cwd: root, stdio: 'ignore' });
    }
  }
}
