import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobData } from './codec.js';
import { type Connection, closeClient, createClient, describeConnection } from './connection.js';
import { RedisUnavailableError } from './errors.js';
import { cancelChannel } from './options.js';

/** What the executor hears about its jobs, from the one shared event stream or a direct look-up. */
export interface EngineListener {
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
  removed(jobId: string): void;
}

export interface EngineOptions {
  connection: Connection;
  queue: string;
  prefix: string;
  connectTimeout: number;
  resultTtl: number;
  attempts: number;
}

/**
 * The executor's side of BullMQ: one `Queue` (adds, removes) on a client that fails fast while Redis is away,
 * and one `QueueEvents` (the shared subscription every result arrives through) on a blocking client. Created on
 * the first task, so an executor that is never used opens no connection.
 */
export class Engine {
  readonly #options: EngineOptions;
  readonly #where: string;
  readonly #client: Redis;
  readonly #eventsClient: Redis;
  readonly #queue: Queue;
  #events: QueueEvents | undefined;
  #starting: Promise<void> | undefined;
  readonly #listener: EngineListener;
  #lastError: string | undefined;
  /** Aborted by `close()`, so a wait for the first connection ends at once. */
  readonly #closing = new AbortController();

  constructor(options: EngineOptions, listener: EngineListener) {
    this.#options = options;
    this.#where = describeConnection(options.connection);
    this.#client = createClient(options.connection, 'command');
    this.#client.on('error', (error: Error) => {
      this.#lastError = error.message;
    });
    this.#eventsClient = createClient(options.connection, 'blocking');
    this.#queue = new Queue(options.queue, {
      connection: this.#client as never,
      prefix: options.prefix,
      // Every task makes ~4 events; a long burst must not trim completions before the reader sees them.
      streams: { events: { maxLen: 100_000 } },
    });
    this.#queue.on('error', () => {});
    this.#listener = listener;
    this.#ensureStarted().catch(() => {});
  }

  /** Starts the event reader once; a start that failed (Redis away) is tried again by the next task. */
  #ensureStarted(): Promise<void> {
    if (this.#events !== undefined) return Promise.resolve();
    this.#starting ??= this.#start(this.#listener).catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /** Starts reading events from the stream's current end, fixed before any job of ours is added. */
  async #start(listener: EngineListener): Promise<void> {
    await this.#ready();
    const key = `${this.#options.prefix}:${this.#options.queue}:events`;
    const last = (await this.#client.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    const events = new QueueEvents(this.#options.queue, {
      connection: this.#eventsClient as never,
      prefix: this.#options.prefix,
      lastEventId: last[0]?.[0] ?? '0-0',
    });
    events.on('error', () => {});
    events.on('completed', ({ jobId, returnvalue }) => listener.completed(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => listener.failed(jobId, failedReason));
    events.on('removed', ({ jobId }) => listener.removed(jobId));
    this.#events = events;
  }

  /** Resolves once the command client is connected, or rejects with `RedisUnavailableError` in bounded time. */
  #ready(): Promise<void> {
    if (this.#client.status === 'ready') return Promise.resolve();
    const closing = this.#closing.signal;
    if (closing.aborted) return Promise.reject(this.#unavailable('the executor was shut down'));
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        closing.removeEventListener('abort', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      const onClose = () => settle(this.#unavailable('the executor was shut down'));
      const timer = setTimeout(
        () => settle(this.#unavailable(`no connection within ${this.#options.connectTimeout} ms`)),
        this.#options.connectTimeout,
      );
      this.#client.on('ready', onReady);
      closing.addEventListener('abort', onClose);
    });
  }

  #unavailable(detail: string, cause?: unknown): RedisUnavailableError {
    const last = this.#lastError ?? (cause as Error | undefined)?.message;
    return new RedisUnavailableError(this.#where, `${detail}${last ? ` (last error: ${last})` : ''}.`, {
      cause,
    });
  }

  /** Adds jobs in one `addBulk`, or rejects with `RedisUnavailableError` within `connectTimeout`. */
  async add(jobs: ReadonlyArray<{ id: string; data: JobData }>): Promise<void> {
    const deadline = this.#options.connectTimeout;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#unavailable(`no answer within ${deadline} ms`)), deadline);
    });
    const age = Math.ceil(this.#options.resultTtl / 1000);
    const work = (async () => {
      await this.#ensureStarted();
      await this.#queue.addBulk(
        jobs.map(({ id, data }) => ({
          name: 'task',
          data,
          opts: {
            jobId: id,
            attempts: this.#options.attempts,
            removeOnComplete: { age },
            removeOnFail: { age },
          },
        })),
      );
    })().catch((error: unknown) => {
      throw error instanceof RedisUnavailableError
        ? error
        : this.#unavailable('the task was not accepted', error);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
      work.catch(() => {});
    }
  }

  /**
   * Withdraws a job: removed if it is still waiting (resolves true); if a worker holds it (an active job cannot be
   * removed), asks every worker over pub/sub to abort it (resolves false). Never rejects.
   */
  async cancel(jobId: string): Promise<boolean> {
    try {
      if ((await this.#queue.remove(jobId)) === 1) return true;
    } catch {
      // "locked by another worker": it is running.
    }
    try {
      await this.#client.publish(cancelChannel(this.#options.prefix, this.#options.queue), jobId);
    } catch {
      // Redis is away: the worker's own timeout (if any) still ends the task.
    }
    return false;
  }

  /** Removes a job that has not started; false when it has (or Redis cannot say). */
  async removeIfWaiting(jobId: string): Promise<boolean> {
    try {
      return (await this.#queue.remove(jobId)) === 1;
    } catch {
      return false;
    }
  }

  /**
   * Reads finished jobs directly, for tasks whose event has not come (a missed event must not mean a wait for
   * ever). Unknown jobs are reported as removed; errors (Redis away) leave them for the next round.
   */
  async lookUp(jobIds: readonly string[], listener: EngineListener): Promise<void> {
    if (this.#events === undefined) return;
    await Promise.all(
      jobIds.map(async (id) => {
        let job: Job | undefined;
        try {
          job = await Job.fromId(this.#queue, id);
        } catch {
          return;
        }
        if (job === undefined) listener.removed(id);
        else if (job.finishedOn && job.returnvalue != null) listener.completed(id, job.returnvalue);
        else if (job.finishedOn && job.failedReason) listener.failed(id, job.failedReason);
      }),
    );
  }

  /** Closes the event reader, the queue and both connections; nothing of it keeps the process alive after. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#starting?.catch(() => {});
    await Promise.allSettled([this.#events?.close(), this.#queue.close()]);
    closeClient(this.#client);
    closeClient(this.#eventsClient);
  }
}
