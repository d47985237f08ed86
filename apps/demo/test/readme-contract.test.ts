import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { scenarios } from '../src/scenarios/index.js';
import { createContext, defaultScale } from '../src/tour/context.js';
import { runTour } from '../src/tour/runner.js';
import { defineScenario } from '../src/tour/scenario.js';
import { selectScenarios } from '../src/tour/select.js';

// README.md (the guided tour) as a test: each case quotes what the README says about the `demo` command
// and checks it against the real command. cli.test.ts covers the rest of the command line (list, --json,
// bad arguments, colour, the spinner, the process exiting on its own).

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function capture() {
  const chunks: string[] = [];
  return {
    stream: { isTTY: false, columns: 100, write: (chunk: string) => chunks.push(chunk) },
    text: () => chunks.join(''),
  };
}

function io() {
  const stdout = capture();
  const stderr = capture();
  return { stdout, stderr, io: { stdout: stdout.stream, stderr: stderr.stream, env: {} } };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('README: "The scenarios" table', () => {
  const rows = [...README.matchAll(/^\| \[`([^`]+)`\]\(([^)]+)\) \| (.+) \| (.+) \|$/gm)].map((m) => ({
    id: m[1]!,
    file: m[2]!,
    title: m[3]!,
    source: m[4]!,
  }));

  it('lists every scenario in tour order, with its title, its source and a link to its file', () => {
    expect(rows.map((row) => row.id)).toEqual(scenarios.map((scenario) => scenario.id));
    for (const [index, scenario] of scenarios.entries()) {
      const row = rows[index]!;
      expect(row.title, scenario.id).toBe(scenario.title);
      expect(row.source, scenario.id).toBe(scenario.source);
      expect(row.file).toBe(`src/scenarios/${scenario.id}.ts`);
      expect(existsSync(new URL(`../${row.file}`, import.meta.url)), row.file).toBe(true);
    }
  });
});

describe('README: the example at the top', () => {
  const example = /```\n(\[\d+\/\d+\][^`]+)```/.exec(README)![1]!.trimEnd().split('\n');

  it('numbers gather/sequential-vs-gathered as the tour does', () => {
    const [, position, total] = /^\[(\d+)\/(\d+)\] gather\/sequential-vs-gathered/.exec(example[0]!)!;
    expect(Number(total)).toBe(scenarios.length);
    expect(scenarios[Number(position) - 1]?.id).toBe('gather/sequential-vs-gathered');
  });

  it('is what the tour prints for it, figures aside', async () => {
    const { stdout, io: streams } = io();
    expect(await main(['gather/sequential-vs-gathered'], streams)).toBe(0);
    const printed = stdout.text().split('\n');
    // Each line of the example, with its figures as wildcards, appears in order (the plain output adds
    // a progress line before each step, which a terminal shows as a spinner instead).
    let from = 0;
    for (const line of example) {
      const pattern = new RegExp(
        `^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+(\\\.\d+)?/g, '\\d+(\\.\\d+)?')}$`,
      );
      const at = printed.findIndex((text, index) => index >= from && pattern.test(text));
      expect(at, `README line not printed in order: ${line}`).toBeGreaterThanOrEqual(0);
      from = at + 1;
    }
  }, 30_000);
});

describe('README: "Run it"', () => {
  it('"demo timeout/wait-for sync" runs any mix of ids and topics, in tour order', () => {
    expect(selectScenarios(scenarios, ['timeout/wait-for', 'sync']).map((s) => s.id)).toEqual(
      scenarios
        .filter((s) => s.id === 'timeout/wait-for' || s.id.startsWith('sync/'))
        .map((scenario) => scenario.id),
    );
  });

  it('"By default the documents\' delays are played ten times faster (a 2 s API call takes 0.2 s)"', () => {
    expect(defaultScale).toBe(0.1);
    expect(createContext({}).ms(2000)).toBe(200);
  });

  it('"demo --scale 0.5" plays the delays at any other scale, and says so', async () => {
    const { stdout, io: streams } = io();
    expect(await main(['--scale', '0.5', 'basics/eager-async-functions'], streams)).toBe(0);
    expect(stdout.text()).toContain("delays ×0.5 of the documents'");
  }, 30_000);
});

describe('README: exit codes, the time limit and Ctrl+C', () => {
  const stuck = defineScenario({
    id: 'basics/stuck',
    title: 'A scenario that never ends',
    source: 'a test',
    expected: 'nothing',
    run: () => new Promise<never>(() => {}),
  });

  it('"A scenario that ... runs over 60 s is reported as differing and the tour goes on"', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const next = defineScenario({
      ...stuck,
      id: 'basics/next',
      run: async () => ({ ok: true, measured: 'ran', data: {} }),
    });
    let settled = false;
    const tour = runTour([stuck, next], { stdout: capture().stream, env: {} }).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await tour;
    expect(report.results).toMatchObject([
      {
        id: 'basics/stuck',
        ok: false,
        measured: 'failed: Error: did not finish within 60 s and was stopped',
      },
      { id: 'basics/next', ok: true },
    ]);
  });

  it('"Ctrl+C stops the running scenario": no further scenario starts, and the exit code is 1', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const before = process.listenerCount('SIGINT');
    // Without io, main listens for SIGINT itself. wait-for at ×10 would run for 30 s.
    const started = performance.now();
    const done = main(['--scale', '10', 'timeout/wait-for', 'pitfall/missing-await']);
    await vi.waitFor(() => expect(written.join('')).toContain('[1/2] timeout/wait-for'), { timeout: 10_000 });
    process.emit('SIGINT');
    expect(await done).toBe(1);
    expect(performance.now() - started).toBeLessThan(15_000);
    const text = written.join('');
    expect(text).toContain('failed: Error: interrupted (Ctrl+C)');
    expect(text).not.toContain('pitfall/missing-await —');
    // "a second Ctrl+C leaves at once"
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    expect(process.listenerCount('SIGINT')).toBe(before);
  }, 30_000);
});
