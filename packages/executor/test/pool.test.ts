import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type Executor,
  type MainMessage,
  MSG_CANCEL,
  MSG_READY,
  MSG_RESULTS,
  MSG_RUN,
  Pool,
  STATE_LENGTH,
  serveWorker,
  type Transport,
  type TransportHandlers,
  WorkerCrashedError,
} from '../src/index.js';

const unhandled: unknown[] = [];
const trap = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', trap));
afterAll(() => {
  process.off('unhandledRejection', trap);
  expect(unhandled).toEqual([]);
});

/** A worker in this very thread, over a MessageChannel and without shared state (like a child process). */
class ChannelTransport implements Transport {
  static all: ChannelTransport[] = [];
  readonly events: string[] = [];
  readonly #channel = new MessageChannel();
  #handlers: TransportHandlers;
  #gone = false;
  constructor(handlers: TransportHandlers, serve = true) {
    this.#handlers = handlers;
    ChannelTransport.all.push(this);
    const { port1, port2 } = this.#channel;
    port1.on('message', (m) => handlers.onMessage(m));
    if (serve) serveWorker({ send: (m) => port2.postMessage(m), onMessage: (l) => port2.on('message', l) });
    else port2.on('message', () => {}); // a worker that never answers
  }
  send(message: MainMessage): void {
    if (this.#gone) throw new Error('gone');
    this.#channel.port1.postMessage(message);
  }
  /** Simulates the worker dying. */
  die(code: number | null, signal: string | null = null) {
    if (this.#gone) return;
    this.#gone = true;
    this.#channel.port1.close();
    setImmediate(() => this.#handlers.onExit({ code, signal }));
  }
  terminate(): void {
    this.events.push('terminate');
    this.die(1);
  }
  ref(): void {
    this.events.push('ref');
  }
  unref(): void {
    this.events.push('unref');
  }
}

const pool = (options: Partial<ConstructorParameters<typeof Pool>[0]> = {}) =>
  new Pool({ transport: (h) => new ChannelTransport(h), maxWorkers: 2, ...options });

describe('Pool over a transport without shared memory', () => {
  it('implements Executor', () => {
    expectTypeOf(pool()).toMatchTypeOf<Executor>();
  });

  it('validates its options', () => {
    expect(() => new Pool({} as never)).toThrow(/The "options.transport" property must be a function/);
    expect(() => pool({ maxWorkers: 1.5 })).toThrow(RangeError);
    expect(() => pool({ concurrentTasksPerWorker: 0 })).toThrow(RangeError);
  });

  it('runs sync and async tasks and rebuilds their errors', async () => {
    const p = pool();
    expect(await p.submit((a: number, b: number) => a + b, [2, 3])).toBe(5);
    expect(await p.submit(async (s: string) => s.repeat(2), ['ab'])).toBe('abab');
    await expect(
      p.submit(() => {
        throw Object.assign(new SyntaxError('bad'), { code: 'E_BAD' });
      }, []),
    ).rejects.toMatchObject({ name: 'SyntaxError', code: 'E_BAD' });
    await p.shutdown();
  });

  it('sends a function source once per worker and then only its number', async () => {
    const sent: MainMessage[] = [];
    const p = new Pool({
      maxWorkers: 1,
      transport: (h) => {
        const t = new ChannelTransport(h);
        const send = t.send.bind(t);
        t.send = (m) => {
          sent.push(m);
          send(m);
        };
        return t;
      },
    });
    const double = (x: number) => x * 2;
    expect(await p.submit(double, [1])).toBe(2);
    expect(await p.submit(double, [2])).toBe(4);
    expect(JSON.stringify(sent[0])).toContain('x * 2');
    expect(sent[1]![1]).toBe(0);
    expect(JSON.stringify(sent[1])).not.toContain('x * 2');
    await p.shutdown();
  });

  it('fails the started tasks of a dead worker with WorkerCrashedError, replaces it and keeps serving', async () => {
    ChannelTransport.all = [];
    const p = pool({ maxWorkers: 1 });
    const hanging = p.submit(() => new Promise(() => {}), []);
    await new Promise((r) => setTimeout(r, 20));
    ChannelTransport.all[0]!.die(null, 'SIGKILL');
    const error = await hanging.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect((error as Error).message).toMatch(/was killed by signal SIGKILL/);
    expect(await p.submit(() => 'alive', [])).toBe('alive');
    expect(ChannelTransport.all.length).toBe(2);
    await p.shutdown();
  });

  it('terminates a worker that does not acknowledge an aborted task within cancelGrace', async () => {
    ChannelTransport.all = [];
    const p = new Pool({ transport: (h) => new ChannelTransport(h, false), maxWorkers: 1, cancelGrace: 10 });
    const controller = new AbortController();
    const task = p.submit(() => 1, [], { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error('stop'));
    await expect(task).rejects.toThrow('stop');
    await new Promise((r) => setTimeout(r, 100));
    expect(ChannelTransport.all[0]!.events).toContain('terminate');
    await p.shutdown();
  });

  it('sends no task to a worker holding an abandoned task before it is ready, when it may turn out to share no state', async () => {
    // A child process on Deno: its state reads "nothing started" until it is ready, then it turns out to share
    // none (CI, issue 19). This one takes its first task, never answers, and is stopped by the watchdog.
    class Silent implements Transport {
      shared: Int32Array | undefined = new Int32Array(STATE_LENGTH);
      constructor(readonly handlers: TransportHandlers) {}
      get state() {
        return this.shared;
      }
      send(): void {}
      terminate(): void {
        setImmediate(() => this.handlers.onExit({ code: null, signal: 'SIGKILL' }));
      }
      ref(): void {}
      unref(): void {}
    }
    let silent: Silent | undefined;
    const p = new Pool({
      transport: (h) => (silent === undefined ? (silent = new Silent(h)) : new ChannelTransport(h)),
      maxWorkers: 1,
      // Tasks may be sent ahead to a busy worker, as a ProcessPool's child takes several by default.
      concurrentTasksPerWorker: 4,
      cancelGrace: 10,
    });
    await expect(p.submit(() => 1, [], { timeout: 20 })).rejects.toMatchObject({ name: 'TimeoutError' });
    const next = p.submit(() => 'next', []);
    await new Promise((r) => setImmediate(r));
    silent!.shared = undefined; // it said nothing of its state yet: now it turns out to have none
    // Sent to the silent worker, `next` would fail as started when the watchdog stops it (WorkerCrashedError).
    expect(await next).toBe('next');
    await p.shutdown();
  });

  it('refs workers while busy and unrefs them when idle', async () => {
    ChannelTransport.all = [];
    const p = pool({ maxWorkers: 1 });
    await p.submit(() => 1, []);
    expect(ChannelTransport.all[0]!.events.at(-1)).toBe('unref');
    const running = p.submit(async () => new Promise((r) => setTimeout(r, 20)), []);
    expect(ChannelTransport.all[0]!.events.at(-1)).toBe('ref');
    await running;
    expect(ChannelTransport.all[0]!.events.at(-1)).toBe('unref');
    await p.shutdown();
  });

  it('refs an idle worker it terminates, so the awaited exit keeps the process alive (issue 13: exit code 13)', async () => {
    ChannelTransport.all = [];
    const p = pool({ maxWorkers: 1 });
    // A running async task times out: the worker answers the cancellation and goes idle (unref'd).
    await p
      .submit(() => new Promise((r) => setTimeout(r, 1e6)), [], { timeout: 20 })
      .catch((e: unknown) => expect(e).toMatchObject({ name: 'TimeoutError' }));
    const events = ChannelTransport.all[0]!.events;
    await new Promise((r) => setTimeout(r, 20)); // the cancellation's answer came back: idle
    expect(events.at(-1)).toBe('unref');
    await p.shutdown();
    expect(events.slice(-2)).toEqual(['ref', 'terminate']);
  });

  it('keeps a worker it stops referenced until it exits, even if an answer arrives meanwhile (issue 13: exit code 13)', async () => {
    // A worker whose messages and exit the test delivers by hand, like a thread terminated while its last
    // answer is already on its way.
    let handlers!: TransportHandlers;
    const events: string[] = [];
    const sent: MainMessage[] = [];
    const p = new Pool({
      maxWorkers: 1,
      cancelGrace: 60_000, // no watchdog in the way
      transport: (h) => {
        handlers = h;
        return {
          send: (m) => void sent.push(m),
          terminate: () => void events.push('terminate'),
          ref: () => void events.push('ref'),
          unref: () => void events.push('unref'),
        };
      },
    });
    const controller = new AbortController();
    const task = p
      .submit(() => new Promise(() => {}), [], { signal: controller.signal })
      .catch((e: unknown) => e);
    handlers.onMessage([MSG_READY]);
    await new Promise((r) => setImmediate(r)); // the task is sent
    expect(sent[0]?.[0]).toBe(MSG_RUN);
    const id = sent[0]![2] as number;
    controller.abort(new Error('stop'));
    expect(sent.at(-1)).toEqual([MSG_CANCEL, id]);
    expect(await task).toMatchObject({ message: 'stop' });
    // A new worker starts referenced (the pool only calls ref() after an unref()).
    const referenced = () => events.filter((e) => e === 'ref' || e === 'unref').at(-1) !== 'unref';
    const stopped = p.shutdown();
    expect(events.at(-1)).toBe('terminate');
    expect(referenced()).toBe(true);
    // The worker answered the cancellation before terminate() took effect: the answer comes before its exit.
    handlers.onMessage([MSG_RESULTS, 0, -id, 0]);
    // Still referenced: the awaited exit must keep the process alive (an unref'd thread let it exit with code 13).
    expect(referenced()).toBe(true);
    expect(events.at(-1)).toBe('terminate');
    handlers.onExit({ code: 1, signal: null, killed: true });
    await stopped;
  });

  it('sends nothing ahead to a worker whose abandoned task may be stuck, when it cannot tell what started (Deno children)', async () => {
    // A transport without shared state (a child process without its progress file, as on Deno): once its
    // worker is killed, every task sent to it counts as started and fails with it. A task submitted while an
    // abandoned one is still on that worker must wait for the watchdog's verdict and run on the replacement.
    const workers: { handlers: TransportHandlers; sent: MainMessage[]; terminated: boolean }[] = [];
    const p = new Pool({
      maxWorkers: 1,
      concurrentTasksPerWorker: 4,
      cancelGrace: 30,
      transport: (handlers) => {
        const worker = { handlers, sent: [] as MainMessage[], terminated: false };
        workers.push(worker);
        return {
          send: (m) => void worker.sent.push(m),
          terminate: () => {
            worker.terminated = true;
          },
          ref: () => {},
          unref: () => {},
        };
      },
    });
    const stuck = p.submit(() => {}, [], { timeout: 10 }).catch((e: unknown) => e);
    workers[0]!.handlers.onMessage([MSG_READY]);
    await new Promise((r) => setImmediate(r));
    expect(await stuck).toMatchObject({ name: 'TimeoutError' });
    const next = p.submit(() => 'alive', []);
    await new Promise((r) => setImmediate(r));
    // Only the first task and its cancellation went to the first worker.
    expect(workers[0]!.sent.map((m) => m[0])).toEqual([MSG_RUN, MSG_CANCEL]);
    await vi.waitFor(() => expect(workers[0]!.terminated).toBe(true), { timeout: 5000 });
    workers[0]!.handlers.onExit({ code: null, signal: 'SIGKILL', killed: false });
    await vi.waitFor(() => expect(workers.length).toBe(2), { timeout: 5000 });
    workers[1]!.handlers.onMessage([MSG_READY]);
    await vi.waitFor(() => expect(workers[1]!.sent.length).toBe(1), { timeout: 5000 });
    const run = workers[1]!.sent[0]!;
    workers[1]!.handlers.onMessage([MSG_RESULTS, 0, run[2] as number, 'alive']);
    expect(await next).toBe('alive');
    const done = p.shutdown();
    workers[1]!.handlers.onExit({ code: 0, signal: null, killed: false });
    await done;
  });

  it('settles every task exactly once, with its own outcome, under random failures and aborts (property)', async () => {
    const fc = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ value: fc.integer(), abort: fc.boolean(), fail: fc.boolean() }), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (specs, perWorker) => {
          const p = pool({ concurrentTasksPerWorker: perWorker });
          const settled = specs.map(() => 0);
          const tasks = specs.map((spec, i) => {
            const controller = new AbortController();
            const promise = p
              .submit(
                async (v: number, f: boolean) => {
                  await null;
                  if (f) throw new Error(`f${v}`);
                  return v;
                },
                [spec.value, spec.fail],
                { signal: controller.signal },
              )
              .then(
                (v) => {
                  settled[i]!++;
                  expect(v).toBe(spec.value);
                },
                () => {
                  settled[i]!++;
                },
              );
            if (spec.abort) controller.abort();
            return promise;
          });
          await Promise.all(tasks);
          expect(settled.every((n) => n === 1)).toBe(true);
          expect(p.pending).toBe(0);
          await p.shutdown();
        },
      ),
      { numRuns: 30 },
    );
  });
});
