/**
 * A small `--name value` flag parser for the server and upstream commands. Unknown flags, missing values
 * and malformed numbers are `UsageError`s with a message fit to print under the usage line.
 */

/** A command line the command cannot run with; the message says what is wrong, for printing above the usage. */
export class UsageError extends Error {
  readonly code = 'ERR_X_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * How a flag's value is read: text, a port (0-65535), milliseconds (>= 0), a rate (0-1), a count (an
 * integer >= 1), no value, or
 * text that may be given several times (`list`: collected in order into an array).
 */
export type FlagKind = 'string' | 'port' | 'ms' | 'rate' | 'count' | 'boolean' | 'list';

/** What {@link parseFlags} returns for one flag. */
export type FlagValue = string | number | boolean | string[];

/**
 * Parses `--name value` and `--name=value` flags described by `spec`. Throws `UsageError` for an unknown
 * flag, a missing value or a value of the wrong kind.
 *
 * @example
 * ```ts
 * parseFlags(['--port', '80'], { port: 'port' }); // { port: 80 }
 * ```
 */
export function parseFlags<K extends string>(
  argv: readonly string[],
  spec: Record<K, FlagKind>,
): Partial<Record<K, FlagValue>> {
  const out: Partial<Record<K, FlagValue>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    const name = match?.[1] as K | undefined;
    if (!match || name === undefined || !Object.hasOwn(spec, name)) {
      throw new UsageError(`Unknown argument ${JSON.stringify(arg)}.`);
    }
    const kind = spec[name];
    if (kind === 'boolean') {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value.`);
      out[name] = true;
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value.`);
    if (kind === 'list') {
      out[name] = [...((out[name] as string[] | undefined) ?? []), value];
      continue;
    }
    out[name] = convert(`--${name}`, kind, value);
  }
  return out;
}

/** Converts one flag value; `label` names it in the error (`--port`, or `PORT` for the variable). */
export function convert(label: string, kind: Exclude<FlagKind, 'list'>, value: string): string | number {
  if (kind === 'string') return value;
  const number = Number(value);
  if (
    kind === 'port' &&
    !(Number.isInteger(number) && number >= 0 && number <= 65535 && /^\d+$/.test(value))
  ) {
    throw new UsageError(
      `${label} must be a port number from 0 to 65535. Received ${JSON.stringify(value)}.`,
    );
  }
  if (kind === 'ms' && !(Number.isFinite(number) && number >= 0 && /^\d+(\.\d+)?$/.test(value))) {
    throw new UsageError(
      `${label} must be a number of milliseconds >= 0. Received ${JSON.stringify(value)}.`,
    );
  }
  if (kind === 'count' && !(Number.isSafeInteger(number) && number >= 1 && /^\d+$/.test(value))) {
    throw new UsageError(`${label} must be an integer >= 1. Received ${JSON.stringify(value)}.`);
  }
  if (kind === 'rate' && !(number >= 0 && number <= 1 && /^\d*(\.\d+)?$/.test(value))) {
    throw new UsageError(`${label} must be a number from 0 to 1. Received ${JSON.stringify(value)}.`);
  }
  return number;
}

/**
 * Reads one origin for the `/fetch` allowlist (`--allow`, or an entry of `FETCH_ALLOWLIST`): an http(s)
 * URL with nothing after the host and port but an optional `/`. Returns it normalized (`new URL().origin`);
 * throws a `UsageError` naming `label` otherwise.
 *
 * @example
 * ```ts
 * parseOrigin('--allow', 'HTTP://Example.test:80/'); // 'http://example.test'
 * ```
 */
export function parseOrigin(label: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    /[?#]/.test(value)
  ) {
    throw new UsageError(
      `${label} must be an http(s) origin such as http://127.0.0.1:8001 (scheme, host and port only: ` +
        `no path, query or credentials). Received ${JSON.stringify(value)}.`,
    );
  }
  return url.origin;
}
