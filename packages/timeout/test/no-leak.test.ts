import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** The built package, as users get it: rebuilt when any source file is newer than the build. */
beforeAll(() => {
  const built = path.join(dist, 'index.js');
  const newest = Math.max(
    ...fs.readdirSync(path.join(root, 'src')).map((f) => fs.statSync(path.join(root, 'src', f)).mtimeMs),
  );
  const fresh =
    fs.existsSync(built) &&
    fs.existsSync(path.join(dist, 'index.cjs')) &&
    fs.statSync(built).mtimeMs >= newest;
  if (!fresh) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}, 120_000);

function runChild(code: string, type: 'module' | 'commonjs' = 'module') {
  return new Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`--input-type=${type}`, '-e', code], {
      cwd: root,
      timeout: 35_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (exitCode) => resolve({ code: exitCode, ms: performance.now() - t0, stdout, stderr }));
  });
}

const esm = pathToFileURL(path.join(dist, 'index.js')).href;
const cjs = JSON.stringify(path.join(dist, 'index.cjs'));

describe('no leaks (a child process running the built package)', () => {
  it('a script awaiting withTimeout(60_000, fastThing) exits at once', async () => {
    const r = await runChild(`
      import { withTimeout } from '${esm}';
      const value = await withTimeout(60_000, (signal) => new Promise((resolve) => setTimeout(resolve, 20, 'fast')));
      const again = await withTimeout(60_000, Promise.resolve('promise'));
      console.log(value, again);
    `);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('fast promise');
    // It must not wait for the 60 s deadline; child start-up on a loaded machine can take seconds.
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);

  it('the same from CommonJS, with a caller signal, a scope and a sleep left behind', async () => {
    const r = await runChild(
      `
      const { withTimeout, timeoutScope, sleep } = require(${cjs});
      const controller = new AbortController();
      const scope = timeoutScope(60_000); // never closed: its timer must not keep the process alive
      withTimeout(60_000, async () => 'ok', { signal: controller.signal })
        .then(async (v) => { await sleep(10); await scope.run(Promise.resolve(1)); console.log(v); });
    `,
      'commonjs',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);

  it('a pending deadline keeps the process alive until it fires, so the TimeoutError is seen', async () => {
    const r = await runChild(`
      import { withTimeout } from '${esm}';
      const t0 = performance.now();
      try {
        await withTimeout(300, new Promise(() => {})); // nothing else keeps the loop alive
      } catch (error) {
        console.log(error.name, performance.now() - t0 >= 300);
      }
    `);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('TimeoutError true');
    expect(r.code).toBe(0);
  }, 40_000);
});
