import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { scenarios } from '../src/scenarios/index.js';
import { createContext } from '../src/tour/context.js';
import { runTour } from '../src/tour/runner.js';
import { defineScenario, topicOf, topics } from '../src/tour/scenario.js';
import { selectScenarios } from '../src/tour/select.js';

const demoDir = fileURLToPath(new URL('..', import.meta.url));
const esc = String.fromCharCode(27);
const ansi = new RegExp(`${esc}\\[`);

function capture(isTTY = false) {
  const chunks: string[] = [];
  return {
    stream: { isTTY, columns: 100, write: (chunk: string) => chunks.push(chunk) },
    text: () => chunks.join(''),
  };
}

function io(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const stdout = capture(options.tty);
  const stderr = capture(false);
  return { stdout, stderr, io: { stdout: stdout.stream, stderr: stderr.stream, env: options.env ?? {} } };
}

const instant = defineScenario({
  id: 'basics/instant',
  title: 'An instant scenario',
  source: 'a test',
  expected: 'nothing',
  async run(ctx) {
    ctx.step('one step');
    ctx.log('a narration line');
    return { ok: true, measured: 'done', data: {} };
  },
});

describe('the scenario registry', () => {
  it('has unique topic/name ids on known topics, and a test for every scenario', () => {
    const ids = scenarios.map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    const tests = readdirSync(new URL('.', import.meta.url))
      .filter((name) => name.startsWith('scenarios-') && name.endsWith('.test.ts'))
      .map((name) => readFileSync(new URL(name, import.meta.url), 'utf8'))
      .join('\n');
    for (const scenario of scenarios) {
      expect(ids.filter((id) => id === scenario.id)).toHaveLength(1);
      expect(topics).toContain(topicOf(scenario));
      expect(scenario.id).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
      expect(tests, `a test for ${scenario.id}`).toContain(`from '../src/scenarios/${scenario.id}.js'`);
    }
  });

  it('lists the topics in tour order', () => {
    const order = scenarios.map((scenario) => topics.indexOf(topicOf(scenario)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('demo list', () => {
  it('prints every scenario id with its title and exits 0', async () => {
    const { stdout, io: cliIo } = io();
    expect(await main(['list'], cliIo)).toBe(0);
    for (const scenario of scenarios) expect(stdout.text()).toContain(scenario.id);
    expect(stdout.text().trim().split('\n')).toHaveLength(scenarios.length);
  });
});

describe('demo list <topic>', () => {
  it('lists only the scenarios of the topic, and refuses an unknown one', async () => {
    const { stdout, io: cliIo } = io();
    expect(await main(['list', 'gather'], cliIo)).toBe(0);
    const lines = stdout.text().trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^gather\//);
    const bad = io();
    expect(await main(['list', 'nope'], bad.io)).toBe(2);
    expect(bad.stderr.text()).toContain('"nope"');
  });
});

describe('demo --json', () => {
  it('prints only a JSON array of { id, title, source, expected, measured, ok }', async () => {
    const { stdout, io: cliIo } = io({ tty: true });
    const code = await main(['--json', '--scale', '0.05', 'gather'], cliIo);
    const parsed = JSON.parse(stdout.text()) as Record<string, unknown>[];
    expect(code).toBe(0);
    expect(parsed.map((result) => result.id)).toEqual(
      scenarios.filter((scenario) => scenario.id.startsWith('gather/')).map((scenario) => scenario.id),
    );
    for (const result of parsed) {
      expect(Object.keys(result).sort()).toEqual(['expected', 'id', 'measured', 'ok', 'source', 'title']);
      expect(result.ok).toBe(true);
      expect(typeof result.measured).toBe('string');
    }
    expect(stdout.text()).not.toMatch(ansi);
  });
});

describe('demo --real-time and --help', () => {
  it("plays the documents' delays with --real-time and says so", async () => {
    const { stdout, io: cliIo } = io();
    expect(await main(['--real-time', 'basics/eager-async-functions'], cliIo)).toBe(0);
    expect(stdout.text()).toContain("at the documents' delays");
  });

  it('prints the usage with --help', async () => {
    const { stdout, io: cliIo } = io();
    expect(await main(['--help'], cliIo)).toBe(0);
    expect(stdout.text()).toContain('--real-time');
    expect(stdout.text()).toContain('pnpm demo serve');
  });
});

describe('demo <id or topic>', () => {
  it('refuses an unknown name with exit code 2 and says what exists', async () => {
    const { stderr, io: cliIo } = io();
    expect(await main(['no-such-topic'], cliIo)).toBe(2);
    expect(stderr.text()).toContain('There is no scenario or topic named "no-such-topic"');
    expect(stderr.text()).toContain('basics, gather');
  });

  it('refuses a --scale that is not a positive number', async () => {
    const { stderr, io: cliIo } = io();
    expect(await main(['--scale', 'fast'], cliIo)).toBe(2);
    expect(stderr.text()).toContain('"--scale"');
  });

  it('refuses an unknown option and prints the usage', async () => {
    const { stderr, io: cliIo } = io();
    expect(await main(['--fast'], cliIo)).toBe(2);
    expect(stderr.text()).toContain('Usage: pnpm demo');
  });

  it('selects by id and by topic, in tour order and without duplicates', () => {
    const picked = selectScenarios(scenarios, ['basics/for-await', 'basics', 'basics/for-await']);
    expect(picked.map((scenario) => scenario.id)).toEqual(
      scenarios.filter((scenario) => scenario.id.startsWith('basics/')).map((scenario) => scenario.id),
    );
  });
});

describe('output', () => {
  it('uses colour and a spinner on a TTY', async () => {
    const out = capture(true);
    await runTour([instant], { stdout: out.stream, env: {} });
    expect(out.text()).toMatch(ansi);
    expect(out.text()).toContain('\r\u001b[K');
    expect(out.text()).toContain('a narration line');
  });

  it('uses no colour on a TTY when NO_COLOR is set', async () => {
    const out = capture(true);
    await runTour([instant], { stdout: out.stream, env: { NO_COLOR: '1' } });
    expect(out.text().replaceAll('\r\u001b[K', '')).not.toMatch(ansi);
  });

  it('prints plain progress lines, no colour and no spinner when not a TTY', async () => {
    const out = capture(false);
    await runTour([instant], { stdout: out.stream, env: {} });
    expect(out.text()).not.toMatch(ansi);
    expect(out.text()).not.toContain('\r');
    expect(out.text()).toContain('… one step');
    expect(out.text()).toContain('measured done');
  });

  it('reports a scenario that throws as differing, and goes on', async () => {
    const broken = defineScenario({
      ...instant,
      id: 'basics/broken',
      run: async () => Promise.reject(new RangeError('boom')),
    });
    const report = await runTour([broken, instant], { stdout: capture().stream, env: {} });
    expect(report.results.map((result) => [result.id, result.ok])).toEqual([
      ['basics/broken', false],
      ['basics/instant', true],
    ]);
    expect(report.results[0]?.measured).toBe('failed: RangeError: boom');
  });

  it('stops a scenario that overruns its time limit and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const stuck = defineScenario({
      ...instant,
      id: 'basics/stuck',
      run: (ctx) => {
        seen = ctx.signal;
        return new Promise<never>(() => {});
      },
    });
    const report = await runTour([stuck], { stdout: capture().stream, env: {}, scenarioTimeoutMs: 50 });
    expect(report.results[0]?.ok).toBe(false);
    expect(report.results[0]?.measured).toContain('did not finish within 0.05 s');
    expect(seen?.aborted).toBe(true);
  });
});

describe('createContext', () => {
  it("scales the documents' delays and never goes below 1 ms", () => {
    const ctx = createContext({ scale: 0.1 });
    expect(ctx.ms(2000)).toBe(200);
    expect(ctx.ms(1)).toBe(1);
    expect(createContext({ scale: 1 }).ms(2000)).toBe(2000);
  });

  it('rejects a scale that is not a positive finite number', () => {
    expect(() => createContext({ scale: 0 })).toThrow(RangeError);
    expect(() => createContext({ scale: Number.NaN })).toThrow('"options.scale"');
  });
});

describe('demo serve', () => {
  it('hands the remaining arguments to the server module', async () => {
    const previous = process.exitCode;
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // A bad port makes the server print its usage and set exit code 2 without listening.
      expect(await main(['serve', '--port', 'not-a-port'])).toBe(2);
      expect(write.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain('--port');
    } finally {
      write.mockRestore();
      process.exitCode = previous;
    }
  });
});

describe('the demo process', () => {
  // A thread, a child process or a bridge worker left running would keep the process alive past the tour.
  it('runs from the command line, prints JSON and exits on its own after using threads, processes and the bridge', async () => {
    const selection = [
      'sync/cli-command',
      'thread/pool-submit',
      'process/pool-submit',
      'pitfall/blocking-call',
    ];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--json', '--scale', '0.05', ...selection],
      {
        cwd: demoDir,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    // In tour order, whatever the order on the command line.
    expect((JSON.parse(stdout) as { id: string }[]).map((result) => result.id)).toEqual(
      scenarios.filter((scenario) => selection.includes(scenario.id)).map((scenario) => scenario.id),
    );
  }, 30_000);
});

describe('pnpm -s demo --json', () => {
  // The root script builds the packages first (scripts/turbo.mjs: progress on stderr), so stdout is the JSON
  // alone. `-s` silences pnpm's own "> x-concurrency@ demo" banner, which pnpm prints to stdout (see README.md).
  it('prints nothing on stdout but the JSON array, build included, and no turbo notices', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    // A turbo that has never run here (fresh config dir) and no opt-out of ours: its telemetry notice would
    // show unless the root scripts turn telemetry off themselves.
    const config = mkdtempSync(join(tmpdir(), 'x-demo-config-'));
    const { TURBO_TELEMETRY_DISABLED: _, ...env } = process.env;
    const child = spawn(
      'npx',
      ['--yes', 'pnpm@10', '-s', 'demo', '--json', '--scale', '0.05', 'basics/eager-async-functions'],
      { cwd: root, env: { ...env, XDG_CONFIG_HOME: config, NO_COLOR: '1' } },
    );
    // A cold build of every package takes about 30 s here; never wait for ever.
    const killer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(code, stderr).toBe(0);
    const parsed = JSON.parse(stdout) as { id: string; ok: boolean }[];
    expect(parsed.map((result) => [result.id, result.ok])).toEqual([['basics/eager-async-functions', true]]);
    expect(stdout.trimStart().startsWith('[')).toBe(true);
    rmSync(config, { recursive: true, force: true });
    // Nothing but our own progress: no turbo banner, telemetry notice or "no output files" warning.
    expect(stderr).not.toMatch(/telemetry|no output files found|Packages in scope/i);
    // A build that ran said what it built and how long each took; a cached one says nothing.
    if (/building @x\//.test(stderr))
      expect(stderr).toMatch(/Built \d+ of \d+ in [\d.]+ s \(@x\/\S+ [\d.]+ s/);
    else expect(stderr).not.toMatch(/Built|Building/);
  }, 180_000);
});
