/**
 * A cluster on this machine for the `cluster` scenarios: a real redis-server on a free loopback port
 * (persistence off, a temp folder) and real `x-distributed-worker` processes, each stopped by PID. On two
 * machines the workers would be started the same way, against one shared Redis.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The redis-server binary, or undefined when this machine has none (Debian: apt-get install redis-server). */
export function findRedisServer(): string | undefined {
  for (const candidate of [process.env.REDIS_SERVER, 'redis-server', '/usr/bin/redis-server']) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

/** One process of the cluster, stopped by PID. */
export interface ClusterProcess {
  readonly pid: number;
  /** SIGKILL, as a machine that is lost: no goodbye. */
  kill(): Promise<void>;
}

function handle(child: ChildProcess): ClusterProcess & { stop(): Promise<void> } {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    async kill() {
      if (alive()) process.kill(child.pid!, 'SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => alive() && process.kill(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LocalCluster extends AsyncDisposable {
  readonly url: string;
  readonly workers: ClusterProcess[];
}

/**
 * Starts redis-server and `workers` worker processes (each a ThreadPool of `threads` threads, running inline
 * functions, recovering a lost worker's task within ~1.5 s) and resolves once all are ready.
 */
export async function startLocalCluster(workers: number, threads: number): Promise<LocalCluster> {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'x-demo-redis-'));
  const redis = handle(
    spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    ),
  );
  const started: Array<ReturnType<typeof handle>> = [];
  const stopAll = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await reachable(port))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    const url = `redis://127.0.0.1:${port}`;
    const cli = join(
      dirname(createRequire(import.meta.url).resolve('@x/distributed/package.json')),
      'dist/cli.js',
    );
    for (let i = 0; i < workers; i++) {
      const child = spawn(
        process.execPath,
        [
          cli,
          '--redis',
          url,
          '--pool',
          'thread',
          '--workers',
          String(threads),
          '--allow-source-functions',
          '--lock-duration',
          '1000',
          '--stalled-interval',
          '500',
        ],
        { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
      );
      started.push(handle(child));
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes(' ready:')) resolve();
        });
        child.once('exit', () => reject(new Error(`a worker exited before it was ready: ${out}`)));
      });
    }
    return { url, workers: started, [Symbol.asyncDispose]: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
