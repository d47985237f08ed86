import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import {
  assertCloneable,
  DataCloneError,
  deserializeError,
  fromModule,
  type RemoteRef,
  type SerializedError,
  serializeError,
} from '@x/executor';

/**
 * The codec that carries code, values and errors through Redis. BullMQ stores job data and results as JSON,
 * so values travel as base64 of `v8.serialize` (the local pools' structured clone: Map, Set, Date, BigInt,
 * typed arrays survive) inside small JSON objects.
 */

/** How remote code travels: a module by specifier and export name, or (opt-in) a function's source. */
export type WireFunction =
  | { kind: 'module'; key: string; url: string; exportName: string; relative?: string }
  | { kind: 'source'; key: string; source: string };

/** What lost workers mean for a task: run it again elsewhere, or fail it with `WorkerCrashedError`. */
export type OnWorkerLost = 'retry' | 'fail';

/** The data of one BullMQ job: one task. */
export interface JobData {
  /** The executor's `codeVersion`, or null. */
  v: string | null;
  f: WireFunction;
  /** base64 of `v8.serialize(args)`. */
  a: string;
  /** The task's timeout in ms, enforced on the worker too (from the start of the run), or absent. */
  t?: number;
  l: OnWorkerLost;
}

/** A task's outcome, as the job's `returnvalue`: base64 of `v8.serialize` of one of these. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: SerializedError };

const toBase64 = (value: unknown) => serialize(value).toString('base64');

/**
 * The wire form of a `RemoteRef`. A module under the submitter's working directory also travels as a path
 * relative to it, which the worker resolves against its own working directory: the same checkout on another
 * machine need not live at the same absolute path.
 */
export function toWireFunction(ref: RemoteRef, cwd = process.cwd()): WireFunction {
  if (ref.kind === 'source') return { kind: 'source', key: ref.key, source: ref.source };
  const wire: WireFunction = { kind: 'module', key: ref.key, url: ref.url, exportName: ref.exportName };
  if (ref.url.startsWith('file:')) {
    const relative = path.relative(cwd, fileURLToPath(ref.url));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
      wire.relative = relative.split(path.sep).join('/');
    }
  }
  return wire;
}

/** Worker side: the module URL to import, relative paths resolved against this process's working directory. */
export function moduleUrlOf(wire: Extract<WireFunction, { kind: 'module' }>, cwd = process.cwd()): string {
  if (wire.relative === undefined) return wire.url;
  return pathToFileURL(path.resolve(cwd, wire.relative)).href;
}

/** Worker side: a function the local executor accepts, naming the same code as `wire`. */
export function toLocalFunction(
  wire: WireFunction,
  compile: (source: string) => (...args: unknown[]) => unknown,
): ReturnType<typeof fromModule> | ((...args: unknown[]) => unknown) {
  if (wire.kind === 'module') return fromModule(moduleUrlOf(wire), wire.exportName);
  return compile(wire.source);
}

/**
 * Encodes the arguments; throws a `DataCloneError` naming the argument (and the path inside it) for a value
 * that cannot travel, before anything is sent.
 */
export function encodeArgs(args: readonly unknown[]): string {
  for (let i = 0; i < args.length; i++) assertCloneable(args[i], `argument ${i + 1}`);
  try {
    return toBase64(args);
  } catch (error) {
    const at = args.findIndex((arg) => {
      try {
        serialize(arg);
        return false;
      } catch {
        return true;
      }
    });
    throw new DataCloneError(
      at < 0 ? 'the arguments' : `argument ${at + 1}`,
      `${(error as Error).message}.`,
      {
        cause: error,
      },
    );
  }
}

export const decodeArgs = (data: string): unknown[] => deserialize(Buffer.from(data, 'base64')) as unknown[];

/** Encodes a result; a result that cannot travel becomes that task's `DataCloneError`. */
export function encodeResult(value: unknown): string {
  try {
    return toBase64({ ok: true, value } satisfies Outcome);
  } catch (error) {
    return encodeError(new DataCloneError('the result', `${(error as Error).message}.`, { cause: error }));
  }
}

export const encodeError = (error: unknown): string =>
  toBase64({ ok: false, error: serializeError(error) } satisfies Outcome);

/** Caller side: the outcome of a job's `returnvalue`, errors re-created with class, `code`, `cause`, stack. */
export function decodeOutcome(
  returnvalue: unknown,
): { ok: true; value: unknown } | { ok: false; error: unknown } {
  if (typeof returnvalue !== 'string') {
    return {
      ok: false,
      error: new TypeError(
        `The job's result is not an @x/distributed result (${typeof returnvalue}); is another program consuming this queue?`,
      ),
    };
  }
  const outcome = deserialize(Buffer.from(returnvalue, 'base64')) as Outcome;
  return outcome.ok ? outcome : { ok: false, error: deserializeError(outcome.error) };
}
