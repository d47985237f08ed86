// Runs turbo for the root scripts (`node scripts/turbo.mjs run build ...`), with its anonymous telemetry
// turned off for this repository (so no one meets turbo's telemetry notice in the middle of a build).
//
// `--progress` (ours, not turbo's) is for builds a user waits on before something else starts (`pnpm demo`,
// `pnpm pack:all`): instead of turbo's full logs, or a minute of silence, it prints one line as each package
// starts building and, at the end, how long each took (nothing when all are cached), all on stderr (stdout stays free for `--json`). A
// failing package's own log is printed in full.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const shell = process.platform === 'win32';

/** Runs turbo with `args`, inheriting the terminal; resolves to its exit code. */
export function turbo(args) {
  return new Promise((resolve) => {
    const child = spawn('turbo', args, { stdio: 'inherit', env, shell });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`Could not start turbo (${error.message}); run \`npx --yes pnpm@10 install\` first.`);
      resolve(1);
    });
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** `turbo run <args>` with one progress line per package and real durations at the end; resolves to the exit code. */
export function turboWithProgress(args) {
  const started = Date.now();
  const logs = new Map(); // task id (`@x/gather:build`) -> its output lines, printed only if it fails
  let summaryPath;
  let announced = false;
  const child = spawn(
    'turbo',
    [...args, '--output-logs=new-only', '--log-order=stream', '--log-prefix=task', '--summarize'],
    { stdio: ['ignore', 'pipe', 'pipe'], env, shell },
  );
  let pending = '';
  const onLine = (line) => {
    const summary = /^\s*Summary:\s+(.*\.json)\s*$/.exec(line);
    if (summary) summaryPath = summary[1];
    const task = /^(\S+:\S+): (.*)$/.exec(line);
    if (!task) return;
    const [, id, text] = task;
    if (!logs.has(id)) logs.set(id, []);
    logs.get(id).push(text);
    if (/^cache (miss|bypass)/.test(text)) {
      if (!announced) {
        announced = true;
        console.error(
          'Building the packages first (turbo caches them: only the first run waits, one to two minutes on two cores).',
        );
      }
      console.error(`  building ${id.replace(/:build$/, '')}... (${seconds(Date.now() - started)} so far)`);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop();
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`Could not start turbo (${error.message}); run \`npx --yes pnpm@10 install\` first.`);
      resolve(1);
    });
    // 'close', not 'exit': every line of turbo's output has been read by then.
    child.on('close', (code, signal) => {
      if (pending) onLine(pending);
      const status = code ?? (signal ? 1 : 0);
      const tasks = readSummary(summaryPath);
      const built = tasks.filter((t) => t.execution && t.cache?.status !== 'HIT');
      for (const t of tasks.filter((t) => t.execution?.exitCode)) {
        const id = t.taskId.replace('#', ':');
        console.error(`\n${id} failed:\n${(logs.get(id) ?? []).join('\n')}`);
      }
      if (status !== 0) console.error(`The build failed after ${seconds(Date.now() - started)}.`);
      else if (built.length) {
        const each = built
          .map((t) => `${t.package} ${seconds(t.execution.endTime - t.execution.startTime)}`)
          .join(', ');
        console.error(
          `Built ${built.length} of ${tasks.length} in ${seconds(Date.now() - started)} (${each}).`,
        );
      }
      resolve(status);
    });
  });
}

function readSummary(file) {
  if (!file) return [];
  try {
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file, { force: true }); // one per run otherwise piles up in .turbo/runs
    return summary.tasks ?? [];
  } catch {
    return [];
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const progress = args.includes('--progress');
  const code = await (progress ? turboWithProgress(args.filter((a) => a !== '--progress')) : turbo(args));
  process.exit(code);
}
