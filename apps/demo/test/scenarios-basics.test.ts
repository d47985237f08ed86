import { describe, expect, it } from 'vitest';
import awaitOutsideAsync from '../src/scenarios/basics/await-outside-async.js';
import eagerAsyncFunctions from '../src/scenarios/basics/eager-async-functions.js';
import forAwait from '../src/scenarios/basics/for-await.js';
import whichTool from '../src/scenarios/basics/which-tool.js';
import { runScenario } from './scenarios-harness.js';

describe('basics/eager-async-functions', () => {
  it('shows that an async function has started before anyone awaits it, and the lazy form has not', async () => {
    const outcome = await runScenario(eagerAsyncFunctions);
    expect(outcome.data).toMatchObject({
      isPromise: true,
      startedBeforeAwait: true,
      lazyRanBeforeCall: false,
    });
    expect(outcome.data.value).toBe('hello, Ada');
    expect(outcome.ok).toBe(true);
  });
});

describe('basics/await-outside-async', () => {
  it('gets a SyntaxError for await in a plain function, 42 from await 42, and an async result in a plain function via runSync', async () => {
    const outcome = await runScenario(awaitOutsideAsync);
    expect(outcome.data).toEqual({
      syntaxError: 'SyntaxError',
      awaitedNumber: 42,
      fromPlainFunction: 'processed: user 7',
    });
    expect(outcome.ok).toBe(true);
  });
});

describe('basics/for-await', () => {
  it('receives 0..4 in order, one step apart, not all at once', async () => {
    const outcome = await runScenario(forAwait);
    const { received, arrivals, stepMs } = outcome.data;
    expect(received).toEqual([0, 1, 2, 3, 4]);
    // The last number cannot arrive before five steps have passed.
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(stepMs * 5 * 0.8);
    expect(arrivals[0]).toBeLessThan(arrivals.at(-1)! * 0.5);
    expect(outcome.lines).toHaveLength(5);
    expect(outcome.ok).toBe(true);
  });
});

describe('basics/which-tool', () => {
  // The CPU row shares the machine's two cores with other programs: a starved run is tried again.
  it('measures the three rows of the table: gather, a process pool and toThread each win on their kind of work', {
    timeout: 30_000,
    retry: 2,
  }, async () => {
    const outcome = await runScenario(whichTool, { cpuIterations: 50_000_000 });
    const data = outcome.data;
    expect(data.ioGatheredMs).toBeLessThan(data.ioSequentialMs * 0.75);
    expect(data.cpuPoolMs).toBeLessThan(data.cpuMainMs * 0.9);
    expect(data.threadedStallMs).toBeLessThan(data.directStallMs * 0.5);
    expect(outcome.lines.join('\n')).toContain('ProcessPool');
    expect(outcome.ok).toBe(true);
  });
});
