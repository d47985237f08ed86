import { EventEmitter, once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { UpstreamOptions, UpstreamSettings, UpstreamStats } from './upstream.js';

/** Messages the parent sends to the upstream thread. */
export type ToUpstreamThread =
  | { t: 'configure'; id: number; patch: Partial<UpstreamSettings> }
  | { t: 'stats'; id: number }
  | { t: 'close'; id: number };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

type FromUpstreamThread =
  | { t: 'ready'; url: string; settings: UpstreamSettings }
  | { t: 'event'; name: string; data: unknown }
  | { t: 'reply'; id: number; value?: UpstreamStats; error?: unknown };

/** The upstream fake running in a thread of its own; what `startUpstream` returns, over messages. */
export interface UpstreamThread {
  readonly url: string;
  /** Re-emits the fake's `chat-request` and `chat-stream-end` events. */
  readonly events: EventEmitter;
  configure(patch: Partial<UpstreamSettings>): Promise<void>;
  stats(): Promise<UpstreamStats>;
  /** Stops the fake and ends its thread. */
  close(): Promise<void>;
}

/**
 * Starts the upstream fake in its own worker thread, so it keeps its own event loop: a stand-in for a
 * service on another machine. This matters for `/chat`, whose synchronous handler blocks the server's
 * thread while it waits for the next word: an upstream served by that same thread could never send it.
 * Rejects with the thread's error if the fake cannot start (e.g. its port is taken).
 *
 * @example
 * ```ts
 * const upstream = await startUpstreamThread({ latencyMs: 20 });
 * await upstream.configure({ failureRate: 1 });
 * await upstream.close();
 * ```
 */
export async function startUpstreamThread(
  options: Omit<UpstreamOptions, 'random'> = {},
): Promise<UpstreamThread> {
  const worker = new Worker(new URL('./upstream-thread-entry.mjs', import.meta.url), { workerData: options });
  const events = new EventEmitter();
  const pending = new Map<
    number,
    { resolve: (value: UpstreamStats) => void; reject: (error: unknown) => void }
  >();
  let nextId = 0;
  let exited: Error | undefined;
  const failAll = (error: Error) => {
    exited = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (message: FromUpstreamThread) => {
    if (message.t === 'event') events.emit(message.name, message.data);
    if (message.t !== 'reply') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) waiter?.resolve(message.value!);
    else waiter?.reject(message.error);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`The upstream thread exited (code ${code}).`)));

  const [ready] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => Promise.reject(error)),
  ])) as [FromUpstreamThread];
  if (ready.t !== 'ready') throw new Error('The upstream thread did not start as expected.');

  const request = (message: WithoutId<ToUpstreamThread>): Promise<UpstreamStats> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };
  let closing: Promise<void> | undefined;
  return {
    url: ready.url,
    events,
    async configure(patch) {
      await request({ t: 'configure', patch });
    },
    stats: () => request({ t: 'stats' }),
    close() {
      closing ??= (async () => {
        if (!exited) await request({ t: 'close' }).catch(() => {});
        await worker.terminate();
      })();
      return closing;
    },
  };
}
