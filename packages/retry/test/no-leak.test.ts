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
  if (!(fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest)) {
    execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  }
}, 120_000);

/** Runs an ES module script in a fresh Node process; how long it lived tells whether anything kept it alive. */
function runChild(code: string) {
  return new Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (exitCode) => resolve({ code: exitCode, ms: performance.now() - t0, stdout, stderr }));
  });
}

const retryUrl = pathToFileURL(path.join(dist, 'index.js')).href;
const timeoutUrl = pathToFileURL(path.join(root, '..', 'timeout', 'dist', 'index.js')).href;

describe('no leaks (a child process running the built package)', () => {
  it('exits at once after retry settles, however it ended: no delay timer, no listener keeps it alive', async () => {
    const r = await runChild(`
      import { retry } from '${retryUrl}';
      import { timeoutScope } from '${timeoutUrl}';
      let n = 0;
      const ok = await retry(() => { if (++n < 3) throw new Error('flaky'); return 'ok'; }, { minDelay: 5 });
      // Aborted during a 60 s delay: the timer must go with it.
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 20);
      const aborted = await retry(() => { throw new Error('down'); }, { signal: controller.signal, minDelay: 60_000, jitter: false })
        .catch((e) => e.message);
      // Refused under a deadline: no 60 s delay was started.
      const scope = timeoutScope(1000);
      const refused = await retry(() => { throw new Error('down'); }, { signal: scope.signal, minDelay: 60_000, jitter: false })
        .catch((e) => e.name);
      scope.close();
      console.log(ok, aborted, refused);
    `);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('ok stop TimeoutError');
    // Far below the 60 s delays it refused or abandoned (process start included).
    expect(r.ms).toBeLessThan(10_000);
  });
});
