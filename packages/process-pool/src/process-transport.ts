import { type ChildProcess, fork } from 'node:child_process';
import { serialize } from 'node:v8';
import {
  DataCloneError,
  deserializeError,
  type ExitInfo,
  type MainMessage,
  MSG_RESULTS,
  MSG_RUN,
  ownOptions,
  type RemoteRef,
  type SerializedError,
  STATE_LENGTH,
  STATE_STARTED,
  TEARDOWN_TIMEOUT_MS,
  type Transport,
  type TransportHandlers,
  type WorkerMessage,
} from '@x/executor';
import { InitializerError } from './errors.js';
import { jsonRefusal } from './json.js';
import { ProgressFile } from './progress.js';
import {
  decodeUndefined,
  encodeUndefined,
  INIT,
  INIT_DONE,
  INIT_FAILED,
  JSON_UNDEFINED_RESULTS,
  JSON_UNDEFINED_RUN,
  MEMORY,
  STOP,
} from './protocol.js';
import { splitRun } from './split-run.js';

/** What a child is started with. */
export interface ChildOptions {
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  serialization: 'advanced' | 'json';
  initializer: RemoteRef | undefined;
  initArgs: unknown[];
  /** Run in the child when it is stopped gracefully. */
  teardown: RemoteRef | undefined;
  /** The child reports its resident set size before each results message (`maxMemory`). */
  measureMemory: boolean;
  /** Most tasks per IPC message; with 1 the child reports exactly which tasks it started. */
  tasksPerMessage: number;
  /** µs the child keeps its loop turning after answering, waiting for its next task (0: never). */
  spin: number;
}

/**
 * Signals that come from outside (an OOM killer, an orchestrator, an operator, a shutting-down host), unlike
 * those a process raises itself (`SIGABRT` from V8 running out of heap or `abort()`, `SIGSEGV`...): a child
 * killed by one of these while starting is no sign of a broken start-up.
 */
const EXTERNAL_SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

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
 * (their results had not come back) and re-runs the others elsewhere. A child that dies before it is ready
 * reports why (its initializer's error, its exit code), and whether it was killed from outside (see `ExitInfo`).
 */
export class ProcessTransport implements Transport {
  readonly #handlers: TransportHandlers;
  readonly #options: ChildOptions;
  #child: ChildProcess | undefined;
  #progress: ProgressFile | undefined;
  /** The child said INIT_DONE: its worker loop runs. */
  #ready = false;
  /** ... and it publishes task starts in the progress file. */
  #reporting = false;
  #terminated = false;
  #error: Error | undefined;
  #exited = false;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;
  /** MiB resident, as the child last reported (measureMemory). */
  #memory: number | undefined;
  /** Tasks the pool has handed to `send` (its send order: the n-th has `seq` n for the pool). */
  #tasksSent = 0;
  /** Send order of the tasks refused here (their arguments cannot be sent), ascending; never in the child. */
  readonly #skipped: number[] = [];
  /** The child's slots with `STATE_STARTED` counted in the pool's send order (see `state`). */
  readonly #adjusted = new Int32Array(STATE_LENGTH);

  constructor(handlers: TransportHandlers, options: ChildOptions) {
    this.#handlers = handlers;
    this.#options = options;
    this.#start();
  }

  #start() {
    const options = this.#options;
    // Progress is exact only when each message holds one task (see child.ts).
    const progress = options.tasksPerMessage === 1 ? ProgressFile.open() : undefined;
    let child: ChildProcess;
    try {
      const argv = progress ? ['--progress'] : [];
      if (options.serialization === 'json') argv.push('--json');
      if (options.measureMemory) argv.push('--memory');
      if (options.spin > 0) argv.push(`--spin=${options.spin}`);
      // On a null prototype: Node reads the options we do not set (`cwd`, `shell`, ...) by plain property access.
      child = fork(
        childFile,
        argv,
        ownOptions(
          {
            execArgv: options.execArgv,
            env: options.env,
            serialization: options.serialization,
            stdio: progress
              ? ['ignore', 'inherit', 'inherit', 'ipc', progress.fd]
              : ['ignore', 'inherit', 'inherit', 'ipc'],
          },
          'options',
        ),
      );
    } catch (error) {
      progress?.close();
      // Asynchronously: the pool may still be inside the factory call that created this transport.
      setImmediate(() => this.#end({ code: null, signal: null, error: error as Error }));
      return;
    }
    this.#child = child;
    this.#progress = progress;
    child.on('message', (message: unknown) => {
      const tag = (message as unknown[])[0];
      if (typeof tag !== 'string') this.#handlers.onMessage(message as WorkerMessage);
      else if (tag === JSON_UNDEFINED_RESULTS)
        this.#handlers.onMessage(decodeUndefined(message as unknown[], MSG_RESULTS) as WorkerMessage);
      else if (tag === MEMORY) this.#memory = (message as unknown[])[1] as number;
      else if (tag === INIT_DONE) {
        this.#ready = true;
        this.#reporting = (message as unknown[])[1] === true;
      } else if (tag === INIT_FAILED) {
        this.#error = new InitializerError(
          deserializeError((message as unknown[])[1] as SerializedError),
          'child process',
        );
      }
    });
    // A send to a child that just died reports here; the exit below tells the pool.
    child.on('error', (error) => {
      this.#error ??= error;
    });
    // 'close' comes after the last IPC message was delivered, unlike 'exit'.
    child.on('close', (code, signal) => {
      if (this.#stopTimer !== undefined) clearTimeout(this.#stopTimer);
      if (!this.#ready && !this.#terminated) {
        // Died before serving (its initializer threw or exited, bad execArgv, killed at start): say why, so
        // the pool can tell a broken start-up (the same error again and again) from an interrupted one.
        // The initializer's own error says more; anything else (an EPIPE from sending to a child that had
        // already died) is only a symptom of the early exit: it becomes the cause.
        if (!(this.#error instanceof InitializerError)) {
          this.#error = new Error(
            `The child process ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it was ready to run tasks${this.#options.initializer ? ' (while running the initializer)' : ''}. Check execArgv, env and the initializer.`,
            this.#error === undefined ? undefined : { cause: this.#error },
          );
        }
      }
      this.#end({ code, signal, killed: signal !== null && EXTERNAL_SIGNALS.has(signal) });
    });
    child.send([INIT, options.initializer ?? 0, options.initArgs, options.teardown ?? 0]);
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
    const slots = this.#reporting ? this.#progress?.read() : undefined;
    if (slots === undefined || this.#skipped.length === 0) return slots;
    // Tasks refused by `send` hold a place in the pool's send order but never reached the child: count
    // those the child has got past as started (they were answered at once), so the others keep their rank.
    let started = slots[STATE_STARTED]!;
    for (const seq of this.#skipped) {
      if (seq >= started) break;
      started++;
    }
    this.#adjusted.set(slots);
    this.#adjusted[STATE_STARTED] = started;
    return this.#adjusted;
  }

  /** The child's process id (undefined if it could not be forked). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * Sends tasks (one IPC message per `tasksPerMessage` of them) or a cancellation. A task whose argument
   * the channel cannot carry (a SharedArrayBuffer over `'advanced'`; with `'json'`, anything JSON would
   * change) is not sent: it is answered at once with a `DataCloneError` naming the argument, and only it
   * fails. Throws (having sent nothing) only for a fault that is no argument's.
   */
  send(message: MainMessage): void {
    if (message[0] !== MSG_RUN) {
      this.#send(message);
      return;
    }
    let refused: Map<number, unknown> | undefined;
    let tasks = message;
    if (this.#options.serialization === 'json') {
      // JSON.stringify would send these changed (a Map as {}, a Date as a string...): refuse them.
      for (let i = 2; i < message.length; i += 3 + (message[i + 2] as number)) {
        const error = argumentError(message, i, jsonCloneError);
        if (error !== undefined) (refused ??= new Map()).set(message[i] as number, error);
      }
      if (refused !== undefined) tasks = without(message, refused);
    }
    const parts = splitRun(tasks, this.#options.tasksPerMessage);
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      if (part.length === 2 && part[1] === 0) continue; // every task refused, no definitions
      try {
        this.#send(part);
      } catch (error) {
        // The channel serializes a message whole before writing it: nothing of `part` was sent. Find the
        // tasks whose arguments it refuses, answer them, and send the others.
        const before = refused?.size ?? 0;
        for (let i = 2; i < part.length; i += 3 + (part[i + 2] as number)) {
          const problem = argumentError(part, i, (v, position) => this.#channelError(v, position));
          if (problem !== undefined) (refused ??= new Map()).set(part[i] as number, problem);
        }
        if ((refused?.size ?? 0) === before) {
          if (p === 0 && refused === undefined) throw error; // no argument's fault and nothing sent
          failAll(part, (refused ??= new Map()), error);
          continue;
        }
        const rest = without(part, refused!);
        if (rest.length === 2 && rest[1] === 0) continue;
        try {
          this.#send(rest);
        } catch (again) {
          failAll(rest, refused!, again);
        }
      }
    }
    // The pool numbers every task of `message` in its send order: keep the places of the refused ones.
    let n = this.#tasksSent;
    for (let i = 2; i < message.length; i += 3 + (message[i + 2] as number), n++) {
      if (refused?.has(message[i] as number)) this.#skipped.push(n);
    }
    this.#tasksSent = n;
    if (refused === undefined) return;
    const answer: WorkerMessage = [MSG_RESULTS, 0];
    for (const [id, error] of refused) answer.push(-id, { kind: 'value', value: error });
    // After `send` returned: the pool marks the tasks sent first.
    queueMicrotask(() => {
      if (!this.#exited) this.#handlers.onMessage(answer);
    });
  }

  /** Why the channel refuses `value`, or undefined. */
  #channelError(value: unknown, position: string): DataCloneError | undefined {
    if (this.#options.serialization === 'json') return jsonCloneError(value, position);
    try {
      serialize(value);
      return undefined;
    } catch (error) {
      const reason = (error as Error).message;
      return new DataCloneError(
        position,
        `Node's IPC channel refused it: ${reason}${/SharedArrayBuffer/.test(reason) ? ' Processes share no memory: copy its contents into an ArrayBuffer or a typed array.' : ''}`,
        { cause: error },
      );
    }
  }

  #send(message: MainMessage): void {
    if (this.#child === undefined) return; // failed to fork; its exit was reported
    // No callback: a failed send is reported as the child's 'error' event (kept as the exit's cause).
    this.#child.send(this.#options.serialization === 'json' ? keepUndefined(message) : message);
  }

  /**
   * Sets the progress file's cancel flag, which the child reads before each task (see `Transport`); false when
   * this child has no progress file (`tasksPerMessage` above 1): MSG_CANCEL then does the job once it arrives.
   */
  cancelUnstarted(): boolean {
    return this.#progress?.cancelUnstarted() ?? false;
  }

  /** MiB the child had resident when it last sent results (with `measureMemory`). */
  memory(): number | undefined {
    return this.#memory;
  }

  /**
   * Asks an idle child to run its teardown and exit; it is killed if that takes longer than
   * TEARDOWN_TIMEOUT_MS. Without a teardown (or before the child is ready), the same as `terminate()`.
   */
  stop(): void {
    const child = this.#child;
    if (this.#options.teardown === undefined || !this.#ready || child === undefined) {
      this.terminate();
      return;
    }
    if (this.#terminated) return;
    this.#terminated = true;
    this.ref();
    // No callback: a failed send is reported as the child's 'error' event; the timer ends it either way.
    child.send([STOP]);
    this.#stopTimer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, TEARDOWN_TIMEOUT_MS);
  }

  terminate(): void {
    this.#terminated = true;
    const child = this.#child;
    if (child === undefined) return;
    // Whoever terminates a child awaits its exit (shutdown does): keep the loop alive until it comes.
    this.ref();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  ref(): void {
    this.#child?.ref();
    (this.#child?.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  unref(): void {
    this.#child?.unref();
    (this.#child?.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

/** The first argument of the task at `i` of a `MSG_RUN` message that `check` refuses, as its error. */
function argumentError(
  message: MainMessage,
  i: number,
  check: (value: unknown, position: string) => DataCloneError | undefined,
): DataCloneError | undefined {
  const argc = message[i + 2] as number;
  for (let j = 0; j < argc; j++) {
    const error = check(message[i + 3 + j], `argument ${j + 1}`);
    if (error !== undefined) return error;
  }
  return undefined;
}

/** `message` (`MSG_RUN`) without the tasks whose ids are in `refused`; its definitions are kept. */
function without(message: MainMessage, refused: Map<number, unknown>): MainMessage {
  const out: MainMessage = [message[0], message[1]];
  for (let i = 2; i < message.length; ) {
    const end = i + 3 + (message[i + 2] as number);
    if (refused.has(message[i] as number)) i = end;
    else for (; i < end; i++) out.push(message[i]);
  }
  return out;
}

/** Refuses every task of `message` with `error`. */
function failAll(message: MainMessage, refused: Map<number, unknown>, error: unknown): void {
  for (let i = 2; i < message.length; i += 3 + (message[i + 2] as number))
    refused.set(message[i] as number, error);
}

/** A `MSG_RUN` message whose `undefined` arguments JSON would turn into `null`, encoded to keep them. */
function keepUndefined(message: MainMessage): MainMessage {
  if (message[0] !== MSG_RUN) return message;
  let indexes: number[] | undefined;
  for (let i = 2; i < message.length; i += 3 + (message[i + 2] as number)) {
    const end = i + 3 + (message[i + 2] as number);
    for (let j = i + 3; j < end; j++) if (message[j] === undefined) (indexes ??= []).push(j);
  }
  return indexes === undefined ? message : encodeUndefined(message, JSON_UNDEFINED_RUN, indexes);
}

function jsonCloneError(value: unknown, position: string): DataCloneError | undefined {
  const refusal = jsonRefusal(value, position);
  return refusal === undefined ? undefined : new DataCloneError(...refusal);
}
