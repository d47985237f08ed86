// The gather and timeout throughput probe of the conformance run, runtime-neutral like the suites: the same
// workloads on every runtime, so each can be compared with Node 20 in the same CI run. Not the packages'
// benchmarks (bench/ in each package compares with peers); a small, steady workload per package.
import { gather } from '@x/gather';
import { withTimeout } from '@x/timeout';

const BATCH = 100;
const ops = Array.from({ length: BATCH }, (_, i) => () => i);
const fast = () => Promise.resolve(1);

async function throughput(once, ms) {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) await once();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await once();
    n += BATCH;
    now = performance.now();
  }
  return Math.round((n / (now - start)) * 1000);
}

/** Operations per second: gather of 100 sync functions, and 100 concurrent withTimeout of a resolved promise. */
export async function bench(ms = 800) {
  return {
    gather: await throughput(() => gather(ops), ms),
    timeout: await throughput(() => Promise.all(ops.map(() => withTimeout(1000, fast))), ms),
  };
}
