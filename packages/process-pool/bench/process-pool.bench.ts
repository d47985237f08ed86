import { type ChildProcess, fork } from 'node:child_process';
import { ProcessPool } from '@x/process-pool';
import workerpool from 'workerpool';
import { latency, measured, quick, throughput, timeMs, type Workload } from '../../../scripts/bench/kit.ts';

const TASKS = quick ? 2_000 : 10_000;
const inc = (x: number) => x + 1;
const spin = (ms: number) => {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
};
const workerScript = new URL('./fixtures/workerpool-worker.cjs', import.meta.url).pathname;

/** Two bare children echoing messages: the cost of Node's IPC alone. */
function echoFloor(serialization: 'json' | 'advanced') {
  let children: ChildProcess[] = [];
  let next = 0;
  const waiting = new Map<number, () => void>();
  const call = (i: number) =>
    new Promise<void>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      children[i % children.length]!.send([id, i]);
    });
  return {
    setup: async () => {
      children = [0, 1].map(() =>
        fork(new URL('./fixtures/echo-child.mjs', import.meta.url), [], { serialization, stdio: 'ignore' }),
      );
      for (const c of children)
        c.on('message', (m) => {
          const [id] = m as [number];
          waiting.get(id)!();
          waiting.delete(id);
        });
      await Promise.all(children.map((_, i) => call(i)));
    },
    call,
    teardown: () => {
      for (const c of children) c.kill();
    },
  };
}

export default async function (): Promise<Workload[]> {
  const ours = new ProcessPool({ maxWorkers: 2, minWorkers: 2 });
  const oursBatched = new ProcessPool({
    maxWorkers: 2,
    minWorkers: 2,
    concurrentTasksPerChild: 32,
    tasksPerMessage: 32,
  });
  const oursPingPong = new ProcessPool({ maxWorkers: 2, minWorkers: 2, concurrentTasksPerChild: 1 });
  const oursJson = new ProcessPool({ maxWorkers: 2, minWorkers: 2, serialization: 'json' });
  const wp = workerpool.pool(workerScript, { workerType: 'process', maxWorkers: 2, minWorkers: 2 });
  const json = echoFloor('json');
  const advanced = echoFloor('advanced');
  const all = (submit: (i: number) => Promise<unknown>) => () =>
    Promise.all(Array.from({ length: TASKS }, (_, i) => submit(i)));

  const results: Workload[] = [];
  results.push(
    await throughput(
      `${TASKS.toLocaleString('en-US')} tiny tasks in flight, 2 children`,
      TASKS,
      [
        {
          name: '@x/process-pool (default: 8 in flight per child)',
          ours: true,
          run: all((i) => ours.submit(inc, [i])),
        },
        {
          name: '@x/process-pool (tasksPerMessage 32)',
          run: all((i) => oursBatched.submit(inc, [i])),
        },
        {
          name: '@x/process-pool (concurrentTasksPerChild 1)',
          run: all((i) => oursPingPong.submit(inc, [i])),
        },
        {
          name: '@x/process-pool map, chunkSize 500',
          run: async () => {
            let n = 0;
            for await (const _ of ours.map(
              inc,
              Array.from({ length: TASKS }, (_, i) => i),
              { chunkSize: 500 },
            ))
              n++;
            return n;
          },
        },
        { name: 'workerpool (process mode)', run: all((i) => wp.exec('inc', [i])) },
        { name: 'floor: raw fork echo (json)', setup: json.setup, run: all(json.call) },
        { name: 'floor: raw fork echo (advanced)', setup: advanced.setup, run: all(advanced.call) },
      ],
      { target: '>= 2x the best peer (workerpool)' },
    ),
  );
  results.push(
    ...(await latency(
      'one task at a time',
      [
        { name: '@x/process-pool', ours: true, call: () => ours.submit(inc, [1]) },
        { name: "@x/process-pool (serialization 'json')", call: () => oursJson.submit(inc, [1]) },
        { name: 'workerpool (process mode)', call: () => wp.exec('inc', [1]) },
        { name: 'floor: raw fork echo (json)', call: () => json.call(0) },
        { name: 'floor: raw fork echo (advanced)', call: () => advanced.call(0) },
      ],
      { samples: quick ? 200 : 3000, warmup: 200, target: '<= 0.6x workerpool' },
    )),
  );
  const ms = quick ? 100 : 250;
  const serial = await timeMs(async () => {
    for (let i = 0; i < 4; i++) spin(ms);
  }, 1);
  const parallel = await timeMs(() => Promise.all([1, 2, 3, 4].map(() => ours.submit(spin, [ms]))), 1);
  const wpParallel = await timeMs(() => Promise.all([1, 2, 3, 4].map(() => wp.exec('spin', [ms]))), 1);
  results.push(
    measured(
      `4 CPU tasks of ${ms} ms on 2 children`,
      'ms',
      'lower',
      [
        { name: '@x/process-pool', ours: true, value: parallel, detail: { speedup: serial / parallel } },
        { name: 'workerpool (process mode)', value: wpParallel },
        { name: 'serial on the main thread', value: serial },
      ],
      '>= 1.8x speed-up vs serial',
    ),
  );
  json.teardown();
  advanced.teardown();
  await Promise.all([
    ours.shutdown(),
    oursBatched.shutdown(),
    oursPingPong.shutdown(),
    oursJson.shutdown(),
    wp.terminate(),
  ]);
  return results;
}
