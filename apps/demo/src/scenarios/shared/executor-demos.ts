import type { Outcome, ScenarioContext } from '../../tour/scenario.js';
import { seconds, stopwatch } from './time.js';

/**
 * The part of the `Executor` interface (`@x/executor`) these demonstrations use; `ThreadPool` and
 * `ProcessPool` both implement it, which is the point: the same code drives either.
 */
export interface Submitter {
  submit<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
    args: Args,
    options?: { signal?: AbortSignal },
  ): Promise<Awaited<Result>>;
}

// The three task bodies below are self-contained (they use only their parameters and globals), because
// they run in another thread or process.

/** Like the article's `heavy_task`: blocks the worker running it for `ms`, as `time.sleep` would. */
export const heavyTask = (name: string, ms: number): string => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return `result of ${name}`;
};

/** Several arguments of different types, like the article's `calculate(operation, a, b)`. */
export const calculate = (operation: string, a: number, b: number): number => {
  if (operation === 'add') return a + b;
  if (operation === 'multiply') return a * b;
  throw new RangeError(`Unknown operation "${operation}"`);
};

/** Fails on request, like the article's `task_with_error`. */
export const taskWithError = (fail: boolean): string => {
  if (fail) throw new TypeError('the task failed on purpose');
  return 'no error';
};

export interface SubmitData {
  taskMs: number;
  submitReturnedMs: number;
  resultMs: number;
  result: string;
  sum: number;
  errorName: string | undefined;
  errorMessage: string | undefined;
}

/**
 * The article's `test1` (submit returns at once, the result comes later), `test4` (several arguments) and
 * `test5` (an exception reaches the caller) on `pool`.
 */
export async function demonstrateSubmit(pool: Submitter, ctx: ScenarioContext): Promise<Outcome<SubmitData>> {
  const taskMs = ctx.ms(2000);
  ctx.step('starting a worker');
  const startup = stopwatch();
  await pool.submit(heavyTask, ['warm-up', 0], { signal: ctx.signal });
  ctx.log(`the first worker started in ${seconds(startup())}`);

  ctx.step('submit a 2 s task');
  const clock = stopwatch();
  const pending = pool.submit(heavyTask, ['task A', taskMs], { signal: ctx.signal });
  const submitReturnedMs = clock();
  ctx.log(`submit returned after ${seconds(submitReturnedMs)}; the caller is free to do other work`);
  const result = await pending;
  const resultMs = clock();
  ctx.log(`the result "${result}" arrived after ${seconds(resultMs)}`);

  ctx.step('submit with several arguments');
  const sum = await pool.submit(calculate, ['add', 10, 20], { signal: ctx.signal });
  ctx.log(`submit(calculate, ['add', 10, 20]) -> ${sum}`);

  ctx.step('a task that throws');
  let error: Error | undefined;
  try {
    await pool.submit(taskWithError, [true], { signal: ctx.signal });
  } catch (caught) {
    error = caught as Error;
  }
  ctx.log(`the task's error reached the caller: ${error?.name}: ${error?.message}`);

  const ok =
    submitReturnedMs < 0.2 * taskMs &&
    result === 'result of task A' &&
    resultMs >= 0.9 * taskMs &&
    sum === 30 &&
    error instanceof TypeError &&
    error.message === 'the task failed on purpose';
  return {
    ok,
    measured:
      `submit returned in ${seconds(submitReturnedMs)}, its result after ${seconds(resultMs)}; ` +
      `calculate('add', 10, 20) = ${sum}; the thrown error arrived as ${error?.name}("${error?.message}")`,
    data: {
      taskMs,
      submitReturnedMs,
      resultMs,
      result,
      sum,
      errorName: error?.name,
      errorMessage: error?.message,
    },
  };
}

export interface ParallelData {
  mixedMs: number;
  mixedLongestMs: number;
  sequentialMs: number;
  parallelMs: number;
  unitMs: number;
  results: string[];
}

/**
 * The article's `test2` (tasks of 1, 2 and 3 s together end after 3 s) and `test3` (three 1 s tasks: 3 s
 * one after another, 1 s together) on `pool`, which must have at least three workers.
 */
export async function demonstrateParallel(
  pool: Submitter,
  ctx: ScenarioContext,
): Promise<Outcome<ParallelData>> {
  const { signal } = ctx;
  ctx.step('starting three workers');
  await Promise.all([1, 2, 3].map((i) => pool.submit(heavyTask, [`warm-up ${i}`, ctx.ms(200)], { signal })));

  ctx.step('tasks of 1, 2 and 3 s at once');
  const mixedClock = stopwatch();
  const mixed = await Promise.all(
    [1000, 2000, 3000].map((ms, i) => pool.submit(heavyTask, [`task ${'ABC'[i]}`, ctx.ms(ms)], { signal })),
  );
  const mixedMs = mixedClock();
  ctx.log(`1, 2 and 3 s tasks together: ${seconds(mixedMs)} -> ${mixed.join(', ')}`);

  const unitMs = ctx.ms(1000);
  ctx.step('three 1 s tasks, one after another');
  const sequentialClock = stopwatch();
  const results: string[] = [];
  for (const name of ['one', 'two', 'three'])
    results.push(await pool.submit(heavyTask, [name, unitMs], { signal }));
  const sequentialMs = sequentialClock();
  ctx.log(`one after another: ${seconds(sequentialMs)}`);

  ctx.step('three 1 s tasks at once');
  const parallelClock = stopwatch();
  results.push(
    ...(await Promise.all(
      ['one', 'two', 'three'].map((name) => pool.submit(heavyTask, [name, unitMs], { signal })),
    )),
  );
  const parallelMs = parallelClock();
  ctx.log(`at once: ${seconds(parallelMs)}`);

  const mixedLongestMs = ctx.ms(3000);
  const ok =
    mixed.join() === 'result of task A,result of task B,result of task C' &&
    mixedMs >= 0.9 * mixedLongestMs &&
    mixedMs < 0.75 * (ctx.ms(1000) + ctx.ms(2000) + ctx.ms(3000)) &&
    sequentialMs >= 2.7 * unitMs &&
    parallelMs >= 0.9 * unitMs &&
    parallelMs < 0.6 * sequentialMs;
  return {
    ok,
    measured:
      `1 + 2 + 3 s tasks together: ${seconds(mixedMs)}; three 1 s tasks: ${seconds(sequentialMs)} one after ` +
      `another, ${seconds(parallelMs)} at once (${(sequentialMs / parallelMs).toFixed(1)}×)`,
    data: { mixedMs, mixedLongestMs, sequentialMs, parallelMs, unitMs, results },
  };
}
