import { fromModule } from '@x/executor';
import { ThreadPool } from '@x/to-thread';
import { DistributedExecutor, serveWorker } from '../src/index.ts';
import { startRedis } from '../test/support/redis.ts';
const redis = await startRedis();
const inc = fromModule<(x: number) => number>(new URL('../bench/fixtures/work.mjs', import.meta.url), 'inc');
const incFn = (await import('../bench/fixtures/work.mjs')).inc;
const inline = { submit: async (_fn: unknown, args: unknown[]) => incFn(args[0]) } as never;
const pool = new ThreadPool({ maxThreads: 1, minThreads: 1 });
for (const [name, executor] of [['inline', inline], ['thread', pool]] as const) {
  const w = serveWorker({ connection: redis.url, queue: name, executor, concurrency: 16 });
  await w.ready;
  const ex = new DistributedExecutor({ connection: redis.url, queue: name });
  for (let i = 0; i < 100; i++) await ex.submit(inc, [1]);
  const xs: number[] = [];
  for (let i = 0; i < 500; i++) { const t = performance.now(); await ex.submit(inc, [1]); xs.push(performance.now() - t); }
  xs.sort((a, b) => a - b);
  console.log(name, 'median ms', xs[250].toFixed(3));
  const ys: number[] = [];
  for (let i = 0; i < 500; i++) { const t = performance.now(); await pool.submit(inc, [1]); ys.push(performance.now() - t); }
  ys.sort((a, b) => a - b);
  console.log('pool alone median ms', ys[250].toFixed(3));
  await ex.shutdown(); await w.close();
}
await pool.shutdown();
await redis.stop();
