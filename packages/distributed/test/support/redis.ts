/**
 * A real redis-server for tests and the demo: on a free loopback port, persistence off, in a temp dir, stopped
 * by PID. Debian's `redis-server` package provides it (`.ci/run` installs it when missing).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server by PID (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** The redis-server binary, or undefined when this machine has none. */
export function findRedisServer(): string | undefined {
  for (const candidate of [
    process.env.REDIS_SERVER,
    'redis-server',
    '/usr/bin/redis-server',
    '/usr/sbin/redis-server',
  ]) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Starts redis-server (on `port`, or a free one) and resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<RedisServer> {
  const binary = findRedisServer();
  if (binary === undefined)
    throw new Error('redis-server is not installed (Debian: apt-get install redis-server).');
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'x-redis-'));
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      String(p),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(p))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${p}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stderr?.destroy();
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
