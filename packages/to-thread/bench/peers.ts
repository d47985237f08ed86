// Shared set-up of the peers and floors for the to-thread benchmarks.
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';

type WaitAsync = (c: Int32Array, i: number, v: number) => { async: boolean; value: unknown };

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
export const incFile = fixture('inc.mjs').href;

export function piscina(options: { concurrentTasksPerWorker?: number } = {}) {
  return new Piscina({ filename: incFile, minThreads: 2, maxThreads: 2, idleTimeout: 60_000, ...options });
}

export function tinypool() {
  return new Tinypool({ filename: incFile, minThreads: 2, maxThreads: 2, idleTimeout: 60_000 });
}

export function workerpoolPool() {
  return workerpool.pool(new URL('./fixtures/workerpool-worker.cjs', import.meta.url).pathname, {
    minWorkers: 2,
    maxWorkers: 2,
    workerType: 'thread',
  });
}

/** Two raw echo workers; `call` round-robins single messages, `batch` sends one array per worker. */
export function echoFloor() {
  const workers = [0, 1].map(() => new Worker(fixture('echo-worker.mjs')));
  const waiting: Array<Array<(v: unknown) => void>> = [[], []];
  for (const [i, w] of workers.entries()) w.on('message', (m) => waiting[i]!.shift()!(m));
  let next = 0;
  return {
    call(x: number): Promise<unknown> {
      const i = next;
      next ^= 1;
      return new Promise((resolve) => {
        waiting[i]!.push(resolve);
        workers[i]!.postMessage(x);
      });
    },
    batch(xs: number[]): Promise<unknown[]> {
      const half = xs.length >> 1;
      return Promise.all(
        [xs.slice(0, half), xs.slice(half)].map(
          (part, i) =>
            new Promise<unknown>((resolve) => {
              waiting[i]!.push(resolve);
              workers[i]!.postMessage(part);
            }),
        ),
      ) as Promise<unknown[]>;
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

/** One raw Atomics round trip: main stores 1 and notifies, the worker answers by storing 0. */
export function atomicsFloor() {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(fixture('atomics-worker.mjs'), { workerData: cells.buffer });
  return {
    async call() {
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);
      const r = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(cells, 0, 1);
      if (r.async) await r.value;
    },
    callSync() {
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);
      Atomics.wait(cells, 0, 1);
    },
    close() {
      Atomics.store(cells, 0, 2);
      Atomics.notify(cells, 0);
      return worker.terminate();
    },
  };
}
