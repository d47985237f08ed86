import { Worker } from 'node:worker_threads';
import { inheritedExecArgv } from '@x/executor';

let cached: string[] | undefined | null = null;

/**
 * The default `execArgv` of a pool's threads. Usually `undefined`: Node then gives each thread the parent's
 * flags itself, V8 and process-wide flags included (`--expose-gc`, `--max-old-space-size`), which it refuses
 * when they are listed explicitly. Only when the parent was started with flags that break a thread's ESM entry
 * (`-e`/`-p` code, `--input-type`, `--inspect*`) is an explicit list needed: the inherited one less those, and
 * less whatever Node refuses for threads (found once by constructing a throw-away worker, which Node checks
 * before starting it).
 */
export function threadExecArgv(): string[] | undefined {
  if (cached !== null) return cached;
  const filtered = inheritedExecArgv();
  if (filtered.length === process.execArgv.length) return (cached = undefined);
  for (;;) {
    try {
      const probe = new Worker('', { eval: true, execArgv: filtered });
      void probe.terminate();
      return (cached = filtered);
    } catch (error) {
      const refused = String((error as Error).message)
        .split(': ')[1]
        ?.split(', ');
      const before = filtered.length;
      if ((error as { code?: string }).code === 'ERR_WORKER_INVALID_EXEC_ARGV' && refused !== undefined) {
        for (const flag of refused) {
          const at = filtered.indexOf(flag);
          if (at !== -1) filtered.splice(at, 1);
        }
      }
      if (filtered.length === before) return (cached = filtered);
    }
  }
}
