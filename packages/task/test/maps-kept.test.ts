import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 19 regression: V8 keeps the hidden classes of a class's instances only through live instances. When
 * every task of a batch had been collected, a full GC dropped them and every function optimized for tasks was
 * deoptimized ("weak objects") and compiled again, round after round: createTask + await cost 3-5x more from
 * the first full collection on. Task keeps one instance alive for that. Counted from V8's own trace, so the
 * test does not depend on timing.
 */
describe('optimized task code survives garbage collection', { timeout: 60_000 }, () => {
  it('no function of @x/task is deoptimized because a GC collected what its code depended on', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/maps-kept.mts', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', '--trace-deopt', '--import', 'tsx', fixture],
        { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    expect(stdout).toContain('done');
    // Before the fix: 11-23 such deoptimizations per function (Task, createTask, then, the field initializer).
    const ours = /<SharedFunctionInfo (Task|createTask|then|<instance_members_initializer>|#markRetrieved)>/;
    const dropped = stdout
      .split('\n')
      .filter((line) => line.includes('reason: weak objects') && ours.test(line));
    expect(dropped).toEqual([]);
  });
});
