import { type ChildProcess, fork } from 'node:child_process';
import {
  deserializeError,
  type ExitInfo,
  type MainMessage,
  type RemoteRef,
  type SerializedError,
  type Transport,
  type TransportHandlers,
  type WorkerMessage,
} from '@x/executor';
import { InitializerError } from './errors.js';
import { INIT, INIT_FAILED } from './protocol.js';

/** What a child is started with. */
export interface ChildOptions {
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  serialization: 'advanced' | 'json';
  initializer: RemoteRef | undefined;
  initArgs: unknown[];
}

// The built child entry sits next to this module in dist/ (ESM and CJS builds alike; tsup shims
// import.meta.url in CJS).
const childFile = new URL('./child.js', import.meta.url);

/**
 * A child process speaking the @x/executor protocol over Node's IPC channel. Its stdin is closed
 * (`ignore`), its stdout and stderr are the parent's own (passed through, unprefixed, so output keeps its
 * colours and ordering per stream), and it exits when the parent disconnects, so it never outlives the pool.
 */
export class ProcessTransport implements Transport {
  readonly #child: ChildProcess;
  #error: Error | undefined;
  #exited = false;

  constructor(handlers: TransportHandlers, options: ChildOptions) {
    const child = fork(childFile, [], {
      execArgv: options.execArgv,
      env: options.env,
      serialization: options.serialization,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.on('message', (message: unknown) => {
      if (Array.isArray(message) && message[0] === INIT_FAILED) {
        this.#error = new InitializerError(deserializeError(message[1] as SerializedError));
        return;
      }
      handlers.onMessage(message as WorkerMessage);
    });
    // A send to a child that just died reports here; the exit below tells the pool.
    child.on('error', (error) => {
      this.#error ??= error;
    });
    // 'close' comes after the last IPC message was delivered, unlike 'exit'.
    child.on('close', (code, signal) => {
      if (this.#exited) return;
      this.#exited = true;
      const info: ExitInfo = { code, signal };
      if (this.#error !== undefined) info.error = this.#error;
      handlers.onExit(info);
    });
    child.send([INIT, options.initializer ?? 0, options.initArgs]);
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  send(message: MainMessage): void {
    this.#child.send(message, undefined, undefined, (error) => {
      if (error) this.#error ??= error;
    });
  }

  terminate(): void {
    // Whoever terminates a child awaits its exit (shutdown does): keep the loop alive until it comes.
    this.ref();
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  ref(): void {
    this.#child.ref();
    (this.#child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  unref(): void {
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
