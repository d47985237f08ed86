/**
 * How the soak injects faults from outside a pool: SIGKILL to a child process of a `ProcessPool`, and
 * `terminate()` of a thread of a `ThreadPool`. A pool does not hand out its threads, so while a thread
 * scenario runs, `worker_threads.Worker` is replaced by a subclass that records the pool's threads (by the
 * thread name the pool gives them); the pool's own code runs unchanged. Test instrumentation only.
 */
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

/** Something that can pick a worker of a pool at random and kill it; returns whether one was killed. */
export interface Killer {
  kill(random: () => number): boolean;
  /** Undoes any instrumentation. */
  close(): void;
}

/** Kills a random child of `pids()` with SIGKILL (as an OOM killer or an operator would). */
export function processKiller(pids: () => number[]): Killer {
  return {
    kill(random) {
      const all = pids();
      if (all.length === 0) return false;
      try {
        process.kill(all[Math.floor(random() * all.length)]!, 'SIGKILL');
        return true;
      } catch {
        return false; // it had exited meanwhile
      }
    },
    close() {},
  };
}

/** Records the threads named `name` created from now on, and terminates one at random on `kill`. */
export function threadKiller(name: string): Killer {
  const Original = workerThreads.Worker;
  const live = new Set<InstanceType<typeof Original>>();
  class Recorded extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      if (args[1]?.name !== name) return;
      live.add(this);
      this.once('exit', () => live.delete(this));
    }
  }
  workerThreads.Worker = Recorded;
  syncBuiltinESMExports();
  return {
    kill(random) {
      if (live.size === 0) return false;
      const all = [...live];
      const victim = all[Math.floor(random() * all.length)]!;
      live.delete(victim);
      void victim.terminate();
      return true;
    },
    close() {
      workerThreads.Worker = Original;
      syncBuiltinESMExports();
    },
  };
}

/** A seeded pseudo-random generator (mulberry32): the same seed plans the same run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
