import type { Colors } from './colors.js';
import type { Scenario } from './scenario.js';

/** One scenario's result as `--json` prints it. */
export interface ScenarioResult {
  id: string;
  title: string;
  source: string;
  expected: string;
  measured: string;
  ok: boolean;
}

const label = (colors: Colors, text: string) => colors.dim(text.padEnd(9));
const indent = ' '.repeat(13);

/** The width the tour wraps its text to. */
export const lineWidth = 100;

/** Wraps `text` at word boundaries to `width` columns, indenting the lines after the first. */
export function wrap(text: string, width = lineWidth - indent.length): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The lines that introduce a scenario before it runs. */
export function formatHeader(
  scenario: Scenario<object>,
  index: number,
  total: number,
  colors: Colors,
): string {
  return [
    `${colors.dim(`[${index + 1}/${total}]`)} ${colors.bold(scenario.id)} ${colors.dim('—')} ${scenario.title}`,
    `    ${label(colors, 'source')}${wrap(scenario.source)}`,
    `    ${label(colors, 'expected')}${wrap(scenario.expected)}`,
  ].join('\n');
}

/** A narration line of a running scenario. */
export function formatNarration(line: string, colors: Colors): string {
  return `    ${colors.dim('│')} ${line}`;
}

/** The lines that close a scenario: what was measured and whether it matches the document. */
export function formatResult(result: ScenarioResult, durationMs: number, colors: Colors): string {
  const verdict = result.ok
    ? colors.green('✔ as the document says')
    : colors.red('✘ differs from the document');
  return [
    `    ${label(colors, 'measured')}${wrap(result.measured)}`,
    `    ${verdict} ${colors.dim(`(${(durationMs / 1000).toFixed(2)} s)`)}`,
    '',
  ].join('\n');
}

/** The closing summary of a run. */
export function formatSummary(
  results: readonly ScenarioResult[],
  durationMs: number,
  scale: number,
  colors: Colors,
): string {
  const failed = results.filter((result) => !result.ok);
  const timing =
    scale === 1
      ? "at the documents' delays"
      : `delays ×${scale} of the documents' (run with --real-time for theirs)`;
  const head = `${results.length} scenario${results.length === 1 ? '' : 's'}: ${colors.green(
    `${results.length - failed.length} as documented`,
  )}, ${failed.length ? colors.red(`${failed.length} differ`) : '0 differ'} in ${(durationMs / 1000).toFixed(1)} s, ${timing}.`;
  return failed.length ? `${head}\nDiffer: ${failed.map((result) => result.id).join(', ')}` : head;
}

/** The scenario list of `demo list`, grouped by topic. */
export function formatList(scenarios: readonly Scenario<object>[], colors: Colors): string {
  const width = Math.max(...scenarios.map((scenario) => scenario.id.length));
  return scenarios
    .map((scenario) => `${colors.bold(scenario.id.padEnd(width))}  ${scenario.title}`)
    .join('\n');
}
