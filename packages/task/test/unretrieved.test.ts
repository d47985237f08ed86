import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Runs a fixture in a fresh Node (TypeScript through tsx), so exit codes and process-wide reports are real. */
function runFixture(name: string) {
  const file = fileURLToPath(new URL(`./fixtures/${name}.mts`, import.meta.url));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', file],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

// Each child starts Node and tsx: seconds on a loaded machine, so the default 5 s per test is too tight.
describe('process-wide reports (child processes)', { timeout: 30_000 }, () => {
  // Started together: each child is mostly tsx start-up time.
  const neverRetrieved = runFixture('never-retrieved');
  const retrievedLate = runFixture('retrieved-late');
  const collected = runFixture('collected');
  const throwingCallback = runFixture('throwing-callback');

  it('reports a failed task nobody retrieved when the program ends, and exits with code 1', async () => {
    const { code, stdout, stderr } = await neverRetrieved;
    expect(stdout).toBe('main finished\n');
    expect(code).toBe(1);
    expect(stderr).toContain(
      "UnretrievedTaskError: Task exception was never retrieved: task 'sync-users' failed with Error: lost in the background.",
    );
    expect(stderr).toContain("code: 'ERR_X_TASK_NEVER_RETRIEVED'");
  });

  it('reports nothing for failures awaited later, read through exception(), held by a group, or cancellations', async () => {
    const { code, stdout, stderr } = await retrievedLate;
    expect(stdout).toBe(
      'slow\ncaught early failure\nexception() gave inspected\ncancelled=true\ngroup reported 1\n',
    );
    expect(stderr).not.toContain('never retrieved');
    expect(code).toBe(0);
  });

  it('reports a dropped failed task once it is garbage-collected, while the program still runs', async () => {
    const { code, stdout } = await collected;
    expect(stdout).toBe(
      'report UnretrievedTaskError ERR_X_TASK_NEVER_RETRIEVED dropped cause=collected\nreports while running: 1\n',
    );
    expect(code).toBe(0);
  });

  it('surfaces a throwing onDone callback as an uncaught exception, still calling the other callbacks', async () => {
    const { code, stdout } = await throwingCallback;
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('second callback saw v');
    expect(lines.slice(1).sort()).toEqual(['awaited v', 'uncaught callback broke']);
    expect(code).toBe(0);
  });
});
