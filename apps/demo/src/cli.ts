import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { scenarios } from './scenarios/index.js';
import { createColors, type OutputStream, shouldColor } from './tour/colors.js';
import { defaultScale } from './tour/context.js';
import { formatList, formatSummary } from './tour/output.js';
import { runTour } from './tour/runner.js';
import { selectScenarios } from './tour/select.js';

const usage = `Usage: pnpm demo [options] [<scenario id or topic>...]
       pnpm demo list
       pnpm demo serve [--port N]

Runs the scenarios of the source documents with the @x packages and shows, for each, what the document
says beside what was measured here. With no id or topic, runs them all.

Options:
  --real-time    use the documents' delays (default: ×${defaultScale}, so the tour takes seconds)
  --scale <x>    use the documents' delays × x (e.g. 0.05)
  --json         print a JSON array of { id, title, source, expected, measured, ok } and nothing else
  -h, --help     show this help`;

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** The `demo` command. Resolves to the process exit code: 0 when every scenario matched its document. */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  if (argv[0] === 'serve') return serve(argv.slice(1));
  return tour(argv, io ?? defaultIo());
}

async function tour(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  const colors = createColors(!values.json && shouldColor(io.stdout, io.env));
  const listing = positionals[0] === 'list';
  let selected: typeof scenarios;
  try {
    selected = selectScenarios(scenarios, listing ? positionals.slice(1) : positionals);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (listing) {
    io.stdout.write(`${formatList(selected, colors)}\n`);
    return 0;
  }

  let scale = defaultScale;
  if (values['real-time']) scale = 1;
  if (values.scale !== undefined) {
    scale = Number(values.scale);
    if (!(scale > 0) || !Number.isFinite(scale)) {
      io.stderr.write(
        `The "--scale" option must be a positive number. Received ${JSON.stringify(values.scale)}\n`,
      );
      return 2;
    }
  }

  const report = await runTour(selected, {
    scale,
    quiet: values.json,
    stdout: io.stdout,
    env: io.env,
    signal: io.signal,
  });
  if (values.json) io.stdout.write(`${JSON.stringify(report.results, null, 2)}\n`);
  else io.stdout.write(`${formatSummary(report.results, report.durationMs, scale, colors)}\n`);
  return report.results.every((result) => result.ok) && report.results.length === selected.length ? 0 : 1;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'real-time': { type: 'boolean', default: false },
      scale: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** `demo serve`: the FastAPI-like HTTP server (see SERVER.md). */
async function serve(argv: readonly string[]): Promise<number> {
  // Loaded on demand: the tour itself never pays for Fastify.
  const server = await import('./server/cli.js');
  await server.main([...argv]);
  // The server reports bad arguments through process.exitCode; keep its verdict.
  return Number(process.exitCode ?? 0);
}

function defaultIo(): CliIo {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('interrupted (Ctrl+C)'));
    // A second Ctrl+C leaves at once.
    process.once('SIGINT', () => process.exit(130));
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
