import {
  MessageChannel,
  type MessagePort,
  type ResourceLimits,
  receiveMessageOnPort,
  type TransferListItem,
  Worker,
} from 'node:worker_threads';
import {
  deserializeError,
  type ExitInfo,
  InitializerError,
  type MainMessage,
  ownOptions,
  type RemoteRef,
  type SerializedError,
  STATE_CANCEL_PENDING,
  STATE_LENGTH,
  STATE_MAIL,
  STATE_SLEEPING,
  TEARDOWN_TIMEOUT_MS,
  type Transport,
  type TransportHandlers,
  type WorkerMessage,
} from '@x/executor';
import { INIT_FAILED, STOP, type ThreadData } from './protocol.js';

/** What a thread is started with. */
export interface ThreadOptions {
  resourceLimits?: ResourceLimits;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  name?: string;
  initializer?: RemoteRef;
  initArgs?: unknown[];
  teardown?: RemoteRef;
  /** Measure the thread's heap for `maxMemory`. */
  measureMemory?: boolean;
}

// The built worker entry sits next to this module in dist/ (ESM and CJS builds alike; tsup shims
// import.meta.url in CJS).
const workerFile = new URL('./worker.js', import.meta.url);

/**
 * A worker thread speaking the @x/executor protocol over its own MessageChannel, plus shared memory: an
 * idle thread polls briefly, then waits in `Atomics.wait` for the next task, so a task sent soon after
 * starts without an event-loop wake-up; the scheduler also reads which task is running (stuck-task
 * detection) and how many have started (safe re-dispatch after a crash).
 */
export class ThreadTransport implements Transport {
  readonly state: Int32Array;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #onMessage: (message: WorkerMessage) => void;
  #error: Error | undefined;
  readonly #teardown: boolean;
  readonly #memory: Int32Array | undefined;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(handlers: TransportHandlers, options: ThreadOptions) {
    const shared = new SharedArrayBuffer(STATE_LENGTH * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    const memory = options.measureMemory ? new SharedArrayBuffer(4) : undefined;
    this.#memory = memory === undefined ? undefined : new Int32Array(memory);
    this.#port = port1;
    this.#onMessage = handlers.onMessage;
    // On a null prototype: Node reads the options we do not set (`eval`, `argv`, ...) by plain property access.
    this.#worker = new Worker(
      workerFile,
      ownOptions(
        {
          workerData: {
            state: shared,
            port: port2,
            initializer: options.initializer ?? 0,
            initArgs: options.initArgs ?? [],
            teardown: options.teardown ?? 0,
            memory: memory ?? 0,
          } satisfies ThreadData,
          transferList: [port2],
          resourceLimits: options.resourceLimits,
          execArgv: options.execArgv,
          env: options.env,
          name: options.name,
        },
        'options',
      ),
    );
    this.#teardown = options.teardown !== undefined;
    port1.on('message', handlers.onMessage);
    this.#worker.on('message', (message: unknown) => {
      if (Array.isArray(message) && message[0] === INIT_FAILED) {
        this.#error ??= new InitializerError(deserializeError(message[1] as SerializedError), 'thread');
      }
    });
    this.#worker.on('error', (error) => {
      this.#error ??= error;
    });
    this.#worker.on('exit', (code) => {
      if (this.#stopTimer !== undefined) clearTimeout(this.#stopTimer);
      // Results sent just before the thread ended may still sit in the port: deliver them first.
      this.#drain();
      port1.close();
      // Ended without an error of its own: by terminate() (whoever called it; the exit code is 1, or 0 when
      // the thread had not begun running), so if it was still starting, its start-up may well work. Dying of
      // its own error (its entry threw, resourceLimits too small to load it) is another matter.
      const killed = this.#error === undefined;
      const info: ExitInfo = { code, signal: null, killed };
      if (this.#error !== undefined) info.error = this.#error;
      handlers.onExit(info);
    });
  }

  #drain() {
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      this.#onMessage(m.message as WorkerMessage);
    }
  }

  send(message: MainMessage, transfer?: readonly TransferListItem[]): void {
    this.#port.postMessage(message, transfer);
    Atomics.add(this.state, STATE_MAIL, 1);
    if (Atomics.load(this.state, STATE_SLEEPING) === 1) Atomics.notify(this.state, STATE_MAIL);
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  cancelUnstarted(): boolean {
    Atomics.store(this.state, STATE_CANCEL_PENDING, 1);
    return true;
  }

  terminate(): void {
    void this.#worker.terminate();
  }

  /** MiB of V8 heap the thread used when it last sent results (with `measureMemory`). */
  memory(): number | undefined {
    return this.#memory === undefined ? undefined : Atomics.load(this.#memory, 0) / 1024;
  }

  /** Runs the teardown in the thread, which then exits; terminated if it takes longer than TEARDOWN_TIMEOUT_MS. */
  stop(): void {
    if (!this.#teardown) {
      this.terminate();
      return;
    }
    if (this.#stopTimer !== undefined) return;
    this.#worker.postMessage(STOP);
    this.#stopTimer = setTimeout(() => this.terminate(), TEARDOWN_TIMEOUT_MS);
  }

  ref(): void {
    this.#worker.ref();
    this.#port.ref();
  }

  unref(): void {
    this.#worker.unref();
    this.#port.unref();
  }
}
