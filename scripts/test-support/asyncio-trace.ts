/**
 * Runs the asyncio side of a scenario (a small CPython script kept next to the test) and returns the JSON it
 * prints, so a test can compare asyncio's event trace with ours. Shared by the tests of @x/task, @x/timeout
 * and @x/gather, whose READMEs promise asyncio's behaviour (or a documented difference from it).
 */
import { execFile, execFileSync } from 'node:child_process';

function findPython(): string | undefined {
  try {
    const version = execFileSync(
      'python3',
      ['-c', 'import sys; print(sys.version_info[0] * 100 + sys.version_info[1])'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    // TaskGroup and ExceptionGroup need 3.11.
    return Number(version.trim()) >= 311 ? 'python3' : undefined;
  } catch {
    return undefined;
  }
}

/** `python3` when a CPython >= 3.11 is on PATH, else undefined (the comparisons are then skipped, saying so). */
export const python: string | undefined = findPython();

/** Why the comparisons were skipped, for the test name: empty when python3 is there. */
export const skipNote: string = python === undefined ? ' (SKIPPED: python3 >= 3.11 not found on PATH)' : '';

/** Runs `script` with python3 and parses what it printed (one JSON document). */
export function runAsyncio<T = unknown>(script: string): Promise<T> {
  return new Promise((resolve, reject) => {
    if (python === undefined) {
      reject(new Error('python3 >= 3.11 is not on PATH'));
      return;
    }
    execFile(python, [script], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${stderr || error.message}`, { cause: error }));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

/** An error's shape as the scripts print it: `group(...)` for an AggregateError, the class name otherwise. */
export function shape(error: unknown): string {
  if (error instanceof AggregateError) return `group(${error.errors.map(shape).join(', ')})`;
  return error instanceof Error ? error.name : String(error);
}
