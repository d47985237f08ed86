// The pure packages' type declarations, compiled as a browser or edge project sees them: the DOM and ES2022
// libs only, no @types/node. A declaration that leaks a Node type (`NodeJS.Timeout`, `node:` imports) fails here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { base } from './base.mjs';

const here = import.meta.dirname;
const tsc = path.resolve(here, '../../node_modules/typescript/bin/tsc');

/** One record per package: its declarations compile without Node's types. */
export function runTypes(pure) {
  const dir = path.join(base, '.out', 'types');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const p of pure) {
    fs.writeFileSync(
      path.join(dir, `${p.name}.ts`),
      `import * as api from '@x/${p.name}';\nexport const names: string[] = Object.keys(api);\n`,
    );
  }
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        lib: ['es2022', 'dom', 'esnext.disposable'],
        module: 'esnext',
        moduleResolution: 'bundler',
        types: [],
        skipLibCheck: false,
      },
      include: ['*.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
  const of = (name) => (l) =>
    l.includes(`@x/${name}/`) || l.includes(`packages/${name}/`) || l.startsWith(`${name}.ts`);
  // A failure that names no package (a bad config, a crash) fails them all rather than none.
  const unattributed =
    r.status !== 0 && !lines.some((l) => pure.some((p) => of(p.name)(l)))
      ? [`tsc failed: ${(lines[0] ?? r.stderr ?? r.stdout).trim()}`]
      : [];
  return pure.map((p) => {
    const mine = lines.filter(of(p.name));
    const other = unattributed;
    const errors = [...mine, ...other];
    return {
      pkg: p.name,
      name: 'its declarations compile with the DOM lib and no @types/node',
      ok: errors.length === 0,
      ...(errors.length ? { error: errors[0].slice(0, 300) } : {}),
    };
  });
}
