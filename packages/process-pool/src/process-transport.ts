import { type ChildProcess, fork } from 'node:child_process';
import { serialize } from 'node:v8';
import {
  deserializeError,
  type ExitInfo,
  type MainMessage,
  type RemoteRef,
  type SerializedError,
  STATE_LENGTH,
  type Transport,
  type TransportHandlers,
  type WorkerMessage,
} from '@x/executor';
import { InitializerError } from './errors.js';
import { ProgressFile } from './progress.js';
import { INIT, INIT_DONE, INIT_FAILED } from './protocol.js';
import { splitRun } from './split-run.js';

/** What a child is started with. */
export interface ChildOptions {
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  serialization: 'advanced' | 'json';
  initializer: RemoteRef | undefined;
  initArgs: unknown[];
  /** Most tasks per IPC message; with 1 the child reports exactly which tasks it started. */
  tasksPerMessage: number;
}

/** How a child's start went, for the pool's respawn back-off. */
export interface StartReport {
  /** The initializer returned (or there was none): the child serves tasks. */
  started(): void;
  /** The child died before serving tasks (its initializer threw, or it could not start). */
  startFailed(): void;
}

/** Before the worker loop starts, no task has: exact, whatever happens to the child then. */
const NOTHING_STARTED = new Int32Array(STATE_LENGTH);

// The built child entry sits next to this module in dist/ (ESM and CJS builds alike; tsup shims
// import.meta.url in CJS).
const childFile = new URL('./child.js', import.meta.url);

/**
 * A child process speaking the @x/executor protocol over Node's IPC channel. Its stdin is closed
 * (`ignore`), its stdout and stderr are the parent's own (passed through, unprefixed, so output keeps its
 * colours and ordering per stream), and it exits when the parent disconnects, so it never outlives the pool.
 * Each task travels in its own IPC message (up to `tasksPerMessage`), and the child publishes in a progress
 * file which tasks it has started, so after a crash the pool fails only the tasks that had started there
 * (their results had not come back) and re-runs the others elsewhere. With `delay`, the child is forked
 * only after that many ms (back-off after children that died while starting); messages meanwhile are held.
 */
export class ProcessTransport implements Transport {
  readonly #handlers: TransportHandlers;
  readonly #options: ChildOptions;
  readonly #report: StartReport;
  #child: ChildProcess | undefined;
  #progress: ProgressFile | undefined;
  #held: MainMessage[] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #referenced = true;
  /** The child said INIT_DONE: its worker loop runs. */
  #ready = false;
  /** ... and it publishes task starts in the progress file. */
  #reporting = false;
  #terminated = false;
  #error: Error | undefined;
  #exited = false;

  constructor(handlers: TransportHandlers, options: ChildOptions, report: StartReport, delay = 0) {
    this.#handlers = handlers;
    this.#options = options;
    this.#report = report;
    if (delay <= 0) {
      this.#start();
      return;
    }
    this.#held = [];
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#start();
    }, delay);
  }

  #start() {
    const options = this.#options;
    // Progress is exact only when each message holds one task (see child.ts).
    const progress = options.tasksPerMessage === 1 ? ProgressFile.open() : undefined;
    let child: ChildProcess;
    try {
      child = fork(childFile, progress ? ['--progress'] : [], {
        execArgv: options.execArgv,
        env: options.env,
        serialization: options.serialization,
        stdio: progress
          ? ['ignore', 'inherit', 'inherit', 'ipc', progress.fd]
          : ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (error) {
      progress?.close();
      this.#report.startFailed();
      // Asynchronously: the pool may still be inside the factory call that created this transport.
      setImmediate(() => this.#end({ code: null, signal: null, error: error as Error }));
      return;
    }
    this.#child = child;
    this.#progress = progress;
    child.on('message', (message: unknown) => {
      const tag = (message as unknown[])[0];
      if (typeof tag !== 'string') this.#handlers.onMessage(message as WorkerMessage);
      else if (tag === INIT_DONE) {
        this.#ready = true;
        this.#reporting = (message as unknown[])[1] === true;
        this.#report.started();
      } else if (tag === INIT_FAILED) {
        this.#error = new InitializerError(deserializeError((message as unknown[])[1] as SerializedError));
      }
    });
    // A send to a child that just died reports here; the exit below tells the pool.
    child.on('error', (error) => {
      this.#error ??= error;
    });
    // 'close' comes after the last IPC message was delivered, unlike 'exit'.
    child.on('close', (code, signal) => {
      if (!this.#ready && !this.#terminated) {
        // Died before serving (its initializer threw or exited, bad execArgv, killed at start): say so, so
        // the pool stops retrying after a few and forks the next one later.
        this.#error ??= new Error(
          `The child process ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it was ready to run tasks${this.#options.initializer ? ' (while running the initializer)' : ''}. Check execArgv, env and the initializer.`,
        );
        this.#report.startFailed();
      }
      this.#end({ code, signal });
    });
    child.send([INIT, options.initializer ?? 0, options.initArgs]);
    if (!this.#referenced) this.unref();
    const held = this.#held;
    this.#held = undefined;
    if (held) for (const message of held) this.#send(message);
  }

  #end(info: ExitInfo) {
    if (this.#exited) return;
    this.#exited = true;
    if (this.#error !== undefined) info.error ??= this.#error;
    try {
      this.#handlers.onExit(info); // reads `state` one last time
    } finally {
      this.#progress?.close();
    }
  }

  /**
   * The child's `STATE_*` slots (`STATE_RUNNING`, `STATE_STARTED`), read fresh at each access (all zero
   * before its worker loop starts); undefined when the child does not report task starts (`tasksPerMessage`
   * above 1: the pool then counts every task sent as started).
   */
  get state(): Int32Array | undefined {
    // Not forked (yet), or no INIT_DONE: messages are in order and 'close' follows the last one, so no task
    // ever started in this child.
    if (this.#child === undefined || !this.#ready) return NOTHING_STARTED;
    return this.#reporting ? this.#progress?.read() : undefined;
  }

  /** The child's process id (undefined while its start is delayed). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  send(message: MainMessage): void {
    const parts = splitRun(message, this.#options.tasksPerMessage);
    for (let i = 0; i < parts.length; i++) this.#send(parts[i]!);
  }

  #send(message: MainMessage): void {
    if (this.#held !== undefined) {
      // Not forked yet: refuse what could not be sent now, as child.send would.
      if (this.#options.serialization === 'advanced') serialize(message);
      else JSON.stringify(message);
      this.#held.push(message);
      return;
    }
    if (this.#child === undefined) return; // failed to fork; its exit was reported
    // No callback: a failed send is reported as the child's 'error' event (kept as the exit's cause).
    this.#child.send(message);
  }

  terminate(): void {
    this.#terminated = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#held = undefined;
      setImmediate(() => this.#end({ code: null, signal: null }));
      return;
    }
    const child = this.#child;
    if (child === undefined) return;
    // Whoever terminates a child awaits its exit (shutdown does): keep the loop alive until it comes.
    this.ref();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  ref(): void {
    this.#referenced = true;
    this.#timer?.ref();
    this.#child?.ref();
    (this.#child?.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  unref(): void {
    this.#referenced = false;
    this.#timer?.unref();
    this.#child?.unref();
    (this.#child?.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
