/**
 * The Node extras the pure packages (gather, timeout, task, locks, queue) use, feature-detected so that the
 * same build loads in a browser page, a Web Worker, an edge worker (a global scope with web APIs only), Deno
 * and Bun. Where the extra exists the behaviour is Node's; where it does not, the fallback is the nearest web
 * equivalent, and nothing here imports a `node:` module (a static import is what stops a page from loading).
 */

interface NodeEvents {
  setMaxListeners?: (n: number, ...targets: unknown[]) => void;
}

interface RuntimeGlobals {
  process?: { getBuiltinModule?: (id: string) => unknown };
  setImmediate?: (fn: () => void) => unknown;
  Deno?: {
    unrefTimer?: (id: number) => void;
    refTimer?: (id: number) => void;
    permissions?: { querySync?: (descriptor: { name: string; kind?: string }) => { state: string } };
  };
}

const g = globalThis as RuntimeGlobals;

/**
 * A Node core module by its `node:` id, where the runtime has `process.getBuiltinModule` (Node 20.16+, 22.3+,
 * Bun, Deno 2); `undefined` elsewhere (browsers, edge workers, older Node 20). Synchronous on purpose: a
 * package must not wait for a dynamic import before its first call.
 *
 * @example
 * ```ts
 * const AsyncResource = nodeBuiltin<{ AsyncResource?: AsyncResourceClass }>('node:async_hooks')?.AsyncResource;
 * ```
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  try {
    return g.process?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    // A runtime that polyfills `process` may throw for a module it lacks: the same as not having it.
    return undefined;
  }
}

const events = nodeBuiltin<NodeEvents>('node:events');

/**
 * Lifts Node's "possible EventTarget memory leak" warning (at 11 listeners) for `signal`, which legitimately
 * has one listener per running operation. Elsewhere there is no such warning and nothing to do.
 */
export function allowManyListeners(signal: AbortSignal): void {
  events?.setMaxListeners?.(0, signal);
}

/**
 * Runs `fn` on a later turn of the event loop (after pending I/O callbacks and microtasks): Node's and Bun's
 * `setImmediate`, else a zero-delay `setTimeout` (browsers, edge workers, Deno without Node globals).
 */
export function nextTurn(fn: () => void): void {
  // Looked up per call, like `setTimeout`: fake timers installed after this module loaded apply to both.
  const immediate = g.setImmediate;
  if (typeof immediate === 'function') immediate(fn);
  else setTimeout(fn, 0);
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * Lets the runtime exit while `timer` is pending: `timer.unref()` where timers are objects (Node, Bun),
 * `Deno.unrefTimer(id)` where they are numbers in Deno. Returns `false` where the runtime has no such notion
 * (browsers, edge workers): there a pending timer keeps nothing alive, but the caller should clear a timer it
 * no longer needs instead of leaving it to fire.
 */
export function unrefTimer(timer: Timer): boolean {
  if (typeof timer === 'object' && timer !== null && typeof timer.unref === 'function') {
    timer.unref();
    return true;
  }
  if (typeof timer === 'number' && typeof g.Deno?.unrefTimer === 'function') {
    g.Deno.unrefTimer(timer);
    return true;
  }
  return false;
}

/** Undoes {@link unrefTimer}: `timer` keeps the runtime alive again. A no-op where that notion does not exist. */
export function refTimer(timer: Timer): void {
  if (typeof timer === 'object' && timer !== null && typeof timer.ref === 'function') timer.ref();
  else if (typeof timer === 'number' && typeof g.Deno?.refTimer === 'function') g.Deno.refTimer(timer);
}

interface CpuUsage {
  user: number;
  system: number;
}

/**
 * CPU time, in ms, of this thread where the runtime can tell (Node 23.9+, Deno: `process.threadCpuUsage`), else
 * of the whole process (`process.cpuUsage`: other threads count too); NaN where there is neither or it is refused.
 * What the busy-wait back-offs (the deadline poll, the pools' loop spin) compare with wall-clock time to tell
 * that the thread was preempted.
 */
export function cpuTime(): number {
  try {
    const proc = (globalThis as { process?: { threadCpuUsage?: () => CpuUsage; cpuUsage?: () => CpuUsage } })
      .process;
    const u = proc?.threadCpuUsage?.() ?? proc?.cpuUsage?.();
    return u === undefined ? Number.NaN : (u.user + u.system) / 1000;
  } catch {
    return Number.NaN;
  }
}

/**
 * Whether a busy-wait's turn that came `lateMs` after it was due, while this thread's (or process's, see
 * {@link cpuTime}) CPU time advanced `cpuMs`, shows the thread was preempted: more than 1 ms late with under half
 * of it on the CPU. On a busy machine the kernel makes a process that keeps its loop turning wait, and wakes a
 * sleeping one sooner, so the busy-waits (the deadline poll, the pools' loop spin) back off then. A late turn
 * whose time was spent on the CPU (a garbage collection, a long callback) is no such sign.
 */
export function preempted(lateMs: number, cpuMs: number): boolean {
  return lateMs > 1 && cpuMs < lateMs / 2;
}

const os = nodeBuiltin<{
  availableParallelism?: () => number;
  loadavg?: () => number[];
  cpus?: () => unknown[];
}>('node:os');

/**
 * The CPUs this process may run on (`os.availableParallelism()`: 1 when pinned with `taskset` or in a one-CPU
 * container), or `undefined` where the runtime does not say (then assume more than one). A busy-wait for another
 * thread cannot pay with one.
 */
export function availableCpus(): number | undefined {
  try {
    return os?.availableParallelism?.();
  } catch {
    return undefined;
  }
}

/**
 * Whether busy-waiting for another thread or process can pay: only where this process may use more than one CPU
 * (`cpus`, default {@link availableCpus}; unknown counts as more). On one, the other side can only run once the
 * waiter stops or is preempted. The one rule for every spin: the pools' loop spin, a pool thread's idle poll, the
 * sync bridge's spin.
 */
export function spinCanPay(cpus: number | undefined = availableCpus()): boolean {
  return (cpus ?? 2) > 1;
}

/** The system's load: its one-minute load average and the CPUs it is spread over. */
export interface SystemLoad {
  /** Runnable threads, averaged over the last minute (`os.loadavg()[0]`; Windows reports 0). */
  average: number;
  /** The machine's CPUs (`os.cpus().length`), whatever this process's affinity: the average counts them all. */
  cpus: number;
}

let machineCpus: number | undefined;

/**
 * Whether Deno has already granted `--allow-sys` for `kind` (elsewhere: true). Asked first, because calling
 * `os.loadavg()` without the permission would make an interactive Deno stop and prompt the user, from inside a
 * library, for a figure the caller never asked for.
 */
function sysGranted(kind: string): boolean {
  const permissions = g.Deno?.permissions;
  if (permissions?.querySync === undefined) return true;
  try {
    return permissions.querySync({ name: 'sys', kind }).state === 'granted';
  } catch {
    return false;
  }
}

/**
 * The system's load (see {@link SystemLoad}), or `undefined` where the runtime does not say or refuses (a Deno
 * without `--allow-sys`, which is never prompted for it; browsers). What the pools' loop spin reads to stay off
 * on a machine whose CPUs are all taken.
 */
export function systemLoad(): SystemLoad | undefined {
  if (!sysGranted('loadavg') || (machineCpus === undefined && !sysGranted('cpus'))) return undefined;
  try {
    const average = os?.loadavg?.()[0];
    machineCpus ??= os?.cpus?.().length;
    if (typeof average !== 'number' || !Number.isFinite(average) || !machineCpus) return undefined;
    return { average, cpus: machineCpus };
  } catch {
    return undefined;
  }
}
