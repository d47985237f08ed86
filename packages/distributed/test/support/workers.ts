/** Real worker processes for the tests: the `x-distributed-worker` CLI (built), spawned and killed by PID. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGKILL: the process dies mid-task, as a lost machine would. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close), then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const live = new Set<WorkerProcess>();

/** Starts `x-distributed-worker` with `args` and resolves once it printed its ready line. */
export async function startWorker(
  redisUrl: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [CLI, '--redis', redisUrl, '--pool', 'thread', '--workers', '1', ...args],
    {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (out.includes(' ready:')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before ready: ${out}`)),
    );
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const worker: WorkerProcess = {
    pid: child.pid!,
    child,
    output: () => out,
    async kill() {
      if (!gone()) process.kill(child.pid!, 'SIGKILL');
      await exited;
      live.delete(worker);
    },
    async stop() {
      if (!gone()) {
        process.kill(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => !gone() && process.kill(child.pid!, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(worker);
    },
  };
  live.add(worker);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  return worker;
}

/** Stops every worker still running (afterAll/afterEach). */
export async function stopAllWorkers(): Promise<void> {
  await Promise.all([...live].map((w) => w.stop()));
}

/** A queue name of its own per test, so tests never see each other's jobs. */
let n = 0;
export const freshQueue = (label: string) => `t-${label}-${process.pid}-${++n}`;
