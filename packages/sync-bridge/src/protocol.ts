/**
 * The wire protocol between a caller thread and its bridge worker: the slots of the shared control array
 * and the messages that travel over the MessagePort. Both sides import this file; nothing here runs code.
 */
import type { RemoteRef, SerializedError } from '@x/executor';

/** Caller -> worker wake-up counter: bumped after every message the caller posts. */
export const REQ = 0;
/** Worker -> caller wake-up counter: bumped after every message the worker posts. */
export const RESP = 1;
/** Worker state: one of the STATE_* values. */
export const STATE = 2;
/** Exit code recorded by the worker's `exit` handler (valid when HAS_EXIT_CODE is 1). */
export const EXIT_CODE = 3;
export const HAS_EXIT_CODE = 4;
/** Set to 1 by the worker once it is up; stays 1 after it dies (STATE does not). */
export const WAS_READY = 5;
export const CONTROL_SLOTS = 8;

export const STATE_STARTING = 0;
export const STATE_READY = 1;
export const STATE_DEAD = 2;

/** What the bridge worker receives as `workerData`. */
export interface BridgeWorkerData {
  control: Int32Array;
  port: import('node:worker_threads').MessagePort;
  watch: import('node:worker_threads').MessagePort;
  /** The longest the worker spins for the next request before it sleeps, in ms (`SyncBridgeOptions.spin`). */
  spinMs: number;
}

/** The global flag the worker sets so that `runSync` inside it fails fast instead of deadlocking. */
export const IN_BRIDGE_WORKER = Symbol.for('@x/sync-bridge.worker');

export type ToWorker =
  /** Run `ref(...args)` and answer with `ok` or `err`; `ref` is just the key once the worker has compiled it. */
  | { t: 'call'; id: number; ref: RemoteRef | string; args: unknown[] }
  /** Iterate the async iterable `ref(...args)` returns, sending at most `credit` chunks ahead. */
  | { t: 'stream'; id: number; ref: RemoteRef | string; args: unknown[]; credit: number }
  /** The consumer took `n` more chunks: the producer may send `n` more. */
  | { t: 'credit'; id: number; n: number }
  /** The consumer left early: call the iterator's `return()` and answer with `closed`. */
  | { t: 'cancel'; id: number };

export type FromWorker =
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'err'; id: number; error: SerializedError }
  /** A batch of chunks; `end` when the iterable finished, `error` when it threw after these chunks. */
  | { t: 'chunks'; id: number; chunks: unknown[]; end?: boolean; error?: SerializedError }
  /** The iterator's `return()` finished after a `cancel` (with its error, if it threw). */
  | { t: 'closed'; id: number; error?: SerializedError }
  /** Output the bridged code wrote to its stdout (1) or stderr (2). */
  | { t: 'out'; fd: 1 | 2; data: string | Uint8Array }
  /** The worker is exiting (process.exit or an uncaught error); sent from its `exit` handler. */
  | { t: 'fatal'; error: SerializedError };
