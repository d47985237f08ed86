import { createHash } from 'node:crypto';
import { ThreadPool } from '@x/to-thread';
import { defineScenario } from '../../tour/scenario.js';
import { watchEventLoop } from '../shared/event-loop.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { millis, seconds } from '../shared/time.js';

const MiB = 1024 * 1024;

/** The bytes both sides hash (a 256-byte pattern, repeated by doubling copies: fast to make). */
const fill = (bytes: Uint8Array) => {
  for (let i = 0; i < 256; i++) bytes[i] = (i * 31) & 255;
  for (let filled = 256; filled < bytes.length; filled *= 2) bytes.copyWithin(filled, 0, filled);
  return bytes;
};

/**
 * Runs on a thread (self-contained): hashes `size` bytes in `chunks` slices, yielding the percentage done
 * after each, and returns the digest.
 */
async function* hashWithProgress(size: number, chunks: number) {
  const { createHash: hashOf } = await import('node:crypto');
  // Made here, where they are hashed, so only progress and a digest travel (the same pattern as `fill`).
  const bytes = new Uint8Array(size);
  for (let i = 0; i < 256; i++) bytes[i] = (i * 31) & 255;
  for (let filled = 256; filled < size; filled *= 2) bytes.copyWithin(filled, 0, filled);
  const hash = hashOf('sha256');
  const step = Math.ceil(size / chunks);
  for (let done = 0, chunk = 1; done < size; done += step, chunk++) {
    hash.update(bytes.subarray(done, Math.min(size, done + step)));
    yield Math.round((chunk * 100) / chunks);
  }
  return hash.digest('hex');
}

export default defineScenario({
  id: 'thread/stream-progress',
  title:
    'ThreadPool.stream: a CPU task reports each percent of hashing 64 MiB while the event loop stays free',
  source: `${section(asyncCoreArticle, 'run_async_stream')}, for CPU work; issue 14`,
  expected:
    'run_async_stream hands over each chunk as it is produced. For CPU work, pool.stream runs a generator on a ' +
    'thread: a progress report arrives after every 1% of the hashing, long before the digest, and the main ' +
    "thread's event loop keeps running (its heartbeat ticks, no stall) the whole time.",
  async run(ctx) {
    const size = 64 * MiB;
    const chunks = 100;
    await using pool = new ThreadPool({ minThreads: 1, maxThreads: 1 });
    ctx.step('warming up a thread');
    for await (const _ of pool.stream(hashWithProgress, [MiB, 4]));

    ctx.step(`hashing ${size / MiB} MiB on a thread, ${chunks} progress reports`);
    const percents: number[] = [];
    const arrivals: number[] = [];
    let digest = '';
    const start = performance.now();
    const loop = await watchEventLoop(async () => {
      const stream = pool.stream(hashWithProgress, [size, chunks], { signal: ctx.signal });
      for (let next = await stream.next(); ; next = await stream.next()) {
        if (next.done) {
          digest = next.value;
          break;
        }
        percents.push(next.value);
        arrivals.push(performance.now() - start);
        if (next.value % 25 === 0)
          ctx.log(`${String(next.value).padStart(3)}% after ${millis(arrivals.at(-1)!)}`);
      }
    });
    const totalMs = performance.now() - start;

    const expectedDigest = createHash('sha256')
      .update(fill(new Uint8Array(size)))
      .digest('hex');
    const inOrder = percents.length === chunks && percents.every((p, i) => p === i + 1);
    const firstMs = arrivals[0] ?? totalMs;
    const halfMs = arrivals[chunks / 2 - 1] ?? totalMs;
    const lastMs = arrivals[chunks - 1] ?? totalMs;
    // Reports spread over the hashing (50% arrives near the middle of the first..last span), not in one lump.
    const spread = halfMs < firstMs + 0.75 * (lastMs - firstMs) && lastMs - firstMs > 0;
    ctx.log(
      `digest ${digest.slice(0, 16)}… (${digest === expectedDigest ? 'matches' : 'DIFFERS FROM'} the main thread's)`,
    );
    ctx.log(`event loop: longest stall ${millis(loop.maxDelayMs)}, ${loop.heartbeats} heartbeats of 10 ms`);
    return {
      // Progress arrived spread over the work, the digest is right, and the loop was never stalled for long while a
      // thread hashed.
      ok: inOrder && digest === expectedDigest && spread && loop.maxDelayMs < 100,
      measured:
        `hashed ${size / MiB} MiB on a thread in ${seconds(totalMs)}: ${percents.length} progress reports in order, ` +
        `1% after ${millis(firstMs)}, 50% after ${millis(halfMs)}, 100% after ${millis(lastMs)}; digest ${digest === expectedDigest ? 'correct' : 'WRONG'}; ` +
        `event loop's longest stall ${millis(loop.maxDelayMs)} (${loop.heartbeats} heartbeats)`,
      data: {
        size,
        percents,
        arrivals,
        totalMs,
        firstMs,
        halfMs,
        lastMs,
        spread,
        digestOk: digest === expectedDigest,
        ...loop,
      },
    };
  },
});
