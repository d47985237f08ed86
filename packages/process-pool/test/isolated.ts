import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `body` (the statements of an async function that can use `ProcessPool`, `WorkerCrashedError` and
 * `TimeoutError` from the built package, and returns a JSON-able value) in a separate Node process, and
 * resolves to what it returned and everything written to stderr meanwhile. For the tests whose children
 * crash on purpose: the children share their parent's stderr, so run in the test process their last words
 * (`FATAL ERROR: Reached heap limit`, `node: bad option`) would reach the terminal of a green run looking
 * like failures. Captured here, the test can assert them instead.
 */
export function runIsolated(body: string, timeout = 25_000): Promise<{ result: unknown; stderr: string }> {
  const script = `
    import { ProcessPool, TimeoutError, WorkerCrashedError } from '@x/process-pool';
    const result = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: packageRoot, timeout, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolve({ result: JSON.parse(stdout), stderr });
      },
    );
  });
}
