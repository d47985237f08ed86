// Runs the suites in a separate runtime process (Node, Bun, Deno): writes an entry module that loads each
// package's suite (a package that fails to load fails its own tests only), runs them, and prints the results
// on one marked line. The process must then exit by itself: a runtime kept alive by a timer, thread or
// process that a package left behind is a failure, and so is a run that hangs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { base } from './base.mjs';

const MARK = '@@conformance ';

/** The entry module source for `suites` (names of files in suites/) and bare `loads` (packages with no suite). */
export function entrySource(suites, loads) {
  // Literal specifiers: Deno loads a statically analysable import with no permission, a computed one needs --allow-read.
  const load = suites.map(
    ([pkg, file]) => `try {
  await import(${JSON.stringify(`../suites/${file}.mjs`)});
} catch (error) {
  test(${JSON.stringify(pkg)}, 'loads', () => { throw error; });
}`,
  );
  const bare = loads.map(
    (pkg) => `{
  let mod;
  let failure;
  try { mod = await import(${JSON.stringify(`@x/${pkg}`)}); } catch (error) { failure = error; }
  test(${JSON.stringify(pkg)}, 'loads and exports its API', () => {
    if (failure) throw failure;
    if (Object.keys(mod).length === 0) throw new Error('exports nothing');
  });
}`,
  );
  return `import { run, test } from '../harness.mjs';
${[...load, ...bare].join('\n')}
const results = await run({ log: (line) => console.error(line) });
console.log(${JSON.stringify(MARK)} + JSON.stringify(results));
`;
}

/** The entry that measures the throughput probe (bench.mjs) and prints it on one marked line. */
export function benchSource() {
  return `import { bench } from '../bench.mjs';
console.log(${JSON.stringify(MARK)} + JSON.stringify(await bench()));
`;
}

/** Runs the suites entry with `runtime`; resolves to the test records, problems of the run included. */
export async function runSuites(runtime, entry, options) {
  const { value, problems } = await runNative(runtime, entry, options);
  return [...(value ?? []), ...problems];
}

/**
 * Runs `entry` (a path) with `runtime`; resolves to `{ value, problems }`: what the entry printed on its marked
 * line, and a failed record for each of a missing binary, a crash, a hang past `timeout` ms, or a process that
 * does not exit within `exitGrace` ms of reporting.
 */
export function runNative(runtime, entry, { timeout = 90_000, exitGrace = 10_000 } = {}) {
  if (!runtime.bin || !fs.existsSync(runtime.bin)) {
    return Promise.resolve({
      value: undefined,
      problems: [
        {
          pkg: '*',
          name: 'runtime',
          ok: false,
          error: `${runtime.label}: binary not installed (pnpm install?)`,
        },
      ],
    });
  }
  return new Promise((resolve) => {
    const child = spawn(runtime.bin, [...runtime.args, entry], {
      cwd: base,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    let results;
    let exitTimer;
    const killTimer = setTimeout(() => finish(`hung: no result within ${timeout} ms`), timeout);
    const extra = [];
    function finish(problem) {
      clearTimeout(killTimer);
      clearTimeout(exitTimer);
      if (problem) {
        extra.push({ pkg: '*', name: 'runtime run', ok: false, error: problem });
        child.kill('SIGKILL');
      }
      resolve({ value: results, problems: extra });
    }
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      if (line && results === undefined && stdout.endsWith('\n')) {
        results = JSON.parse(line.slice(MARK.length));
        exitTimer = setTimeout(
          () =>
            finish(
              `did not exit within ${exitGrace} ms of finishing: something keeps ${runtime.label} alive`,
            ),
          exitGrace,
        );
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (process.env.CONFORMANCE_VERBOSE) process.stderr.write(`[${runtime.id}] ${chunk}`);
    });
    child.on('exit', (code, signal) => {
      if (results === undefined) {
        finish(
          `exited (${signal ?? code}) without results: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
        );
      } else if (code !== 0 && !extra.length) {
        extra.push({ pkg: '*', name: 'runtime exit', ok: false, error: `exit code ${code ?? signal}` });
        finish();
      } else finish();
    });
  });
}

/** Writes the entry for `name` into .out/ (the bench entry when `suites` is undefined) and returns its path. */
export function writeEntry(name, suites, loads) {
  const dir = path.join(base, '.out');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, suites === undefined ? benchSource() : entrySource(suites, loads));
  return file;
}
