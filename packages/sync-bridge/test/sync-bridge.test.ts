import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  BridgeClosedError,
  runSync,
  runSyncStream,
  SyncBridge,
  TimeoutError,
  UnsettledCallError,
  WorkerCrashedError,
} from '@x/sync-bridge';
import { describe, expect, it } from 'vitest';
import { sleepSync, thrown, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const threadId = async () => (await import('node:worker_threads')).threadId;

describe('new SyncBridge(options)', () => {
  it.each([
    ['options', 1, TypeError, 'The "options" argument must be of type object. Received type number (1)'],
    ['timeout', { timeout: '5' }, TypeError, 'The "options.timeout" property must be of type number'],
    ['timeout', { timeout: -1 }, RangeError, 'The value of "options.timeout" is out of range'],
    [
      'highWaterMark',
      { highWaterMark: 0 },
      RangeError,
      'The value of "options.highWaterMark" is out of range',
    ],
    ['highWaterMark', { highWaterMark: 1.5 }, RangeError, 'It must be an integer >= 1. Received 1.5'],
    [
      'resourceLimits',
      { resourceLimits: 5 },
      TypeError,
      'The "options.resourceLimits" property must be of type object',
    ],
    ['spin', { spin: '50' }, TypeError, 'The "options.spin" property must be of type number'],
    ['spin', { spin: -1 }, RangeError, 'It must be an integer >= 0 && <= 10000. Received -1'],
    ['spin', { spin: 2.5 }, RangeError, 'The value of "options.spin" is out of range'],
    [
      'execArgv',
      { execArgv: '--inspect' },
      TypeError,
      'The "options.execArgv" property must be an array of strings',
    ],
  ])('rejects a bad %s synchronously', (_name, options, type, message) => {
    const error = thrown(() => new SyncBridge(options as never));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(message);
  });

  it('run and stream work on an explicit bridge, with their own worker', () => {
    using bridge = new SyncBridge();
    expect(bridge.run(async (a: number) => a * 2, 21)).toBe(42);
    expect([
      ...bridge.stream(async function* () {
        yield 'x';
      }),
    ]).toEqual(['x']);
    expect(bridge.run(threadId)).not.toBe(runSync(threadId));
  });
});

describe('timeout', () => {
  it('throws TimeoutError when a call blocks too long, and the next call runs on a fresh worker', () => {
    using bridge = new SyncBridge({ timeout: 300 });
    bridge.run(() => {
      (globalThis as { marker?: number }).marker = 1;
    });
    const before = bridge.run(threadId);
    const t0 = performance.now();
    // Pending on a timer far beyond the timeout (a promise that can never settle is UnsettledCallError).
    const error = thrown(() => bridge.run(() => new Promise((resolve) => setTimeout(resolve, 10_000))));
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.name).toBe('TimeoutError');
    expect(error.code).toBe('ERR_X_TIMEOUT');
    expect(error.message).toContain('300 ms');
    // Reset: a new thread without the old one's globals.
    expect(bridge.run(() => (globalThis as { marker?: number }).marker)).toBeUndefined();
    expect(bridge.run(threadId)).not.toBe(before);
  });

  it('with no timeout, a promise that can never settle throws UnsettledCallError at once instead of hanging', () => {
    using bridge = new SyncBridge();
    bridge.run(() => {
      (globalThis as { marker?: number }).marker = 7;
    });
    const t0 = performance.now();
    const error = thrown(() => bridge.run(() => new Promise(() => {})));
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(UnsettledCallError);
    expect(error.code).toBe('ERR_X_UNSETTLED_CALL');
    expect(error.message).toContain('can never settle');
    // The same worker goes on serving: not reset, its globals kept.
    expect(bridge.run(() => (globalThis as { marker?: number }).marker)).toBe(7);
    // Work that is merely slow is waited for.
    expect(bridge.run(() => new Promise((resolve) => setTimeout(() => resolve('timer'), 200)))).toBe('timer');
  });

  it('detects a call that can never settle also while a stream is open (the caller sends nothing meanwhile)', () => {
    using bridge = new SyncBridge();
    const stream = bridge.stream(async function* () {
      for (let i = 0; ; i++) yield i;
    });
    expect(stream.next().value).toBe(0);
    expect(thrown(() => bridge.run(() => new Promise(() => {})))).toBeInstanceOf(UnsettledCallError);
    // The stream goes on afterwards.
    expect(stream.next().value).toBe(1);
    stream.return();
  });

  it('waits for a call pending on a socket (a slow HTTP answer from another process), not calling it unsettled', async () => {
    const server = spawn(
      process.execPath,
      [
        '-e',
        `require('node:http')
           .createServer((q, r) => setTimeout(() => r.end('slow answer'), 300))
           .listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port)); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<string>((resolve) =>
        server.stdout!.once('data', (d) => resolve(String(d))),
      );
      using bridge = new SyncBridge({ timeout: 10_000 });
      const body = bridge.run(async (url: string) => (await fetch(url)).text(), `http://127.0.0.1:${port}/`);
      expect(body).toBe('slow answer');
    } finally {
      server.kill();
    }
  });

  it('stops a call stuck in synchronous code', () => {
    using bridge = new SyncBridge({ timeout: 200 });
    const error = thrown(() =>
      bridge.run(() => {
        for (;;);
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(bridge.run(async () => 'alive')).toBe('alive');
  });

  it('bounds each step of a stream', () => {
    using bridge = new SyncBridge({ timeout: 200 });
    const stream = bridge.stream(async function* () {
      yield 'fast';
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      yield 'slow';
    });
    expect(stream.next().value).toBe('fast');
    expect(thrown(() => stream.next())).toBeInstanceOf(TimeoutError);
    expect(stream.next().done).toBe(true);
    expect(bridge.run(async () => 'fresh')).toBe('fresh');
  });
});

describe('a bridge worker that dies', () => {
  it('fails the call with WorkerCrashedError on process.exit, and the next call gets a fresh worker', () => {
    using bridge = new SyncBridge();
    const before = bridge.run(threadId);
    const error = thrown(() =>
      bridge.run(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        process.exit(7);
      }),
    );
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.code).toBe('ERR_X_WORKER_CRASHED');
    expect(error.exitCode).toBe(7);
    expect(error.message).toContain('exited with code 7');
    expect(bridge.run(async () => 'next call works')).toBe('next call works');
    expect(bridge.run(threadId)).not.toBe(before);
  });

  it('fails the call with WorkerCrashedError when the worker runs out of memory', () => {
    using bridge = new SyncBridge({
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const error = thrown(() =>
      bridge.run(async () => {
        const hog: number[][] = [];
        for (;;) hog.push(new Array(100_000).fill(1));
      }),
    );
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toContain('ran out of memory');
    expect(bridge.run(async () => 1 + 1)).toBe(2);
  }, 20_000);

  it('fails the call with WorkerCrashedError, not a hang, when the worker cannot start', () => {
    using bridge = new SyncBridge({ execArgv: ['--import=/nonexistent/preload.mjs'] });
    const error = thrown(() => bridge.run(async () => 1));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toContain('failed to start');
  }, 30_000);

  it('fails an open stream at its next step, and new calls work', () => {
    using bridge = new SyncBridge();
    const stream = bridge.stream(async function* () {
      yield 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.exit(3);
    });
    expect(stream.next().value).toBe(1);
    const error = thrown(() => stream.next());
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.exitCode).toBe(3);
    expect(bridge.run(async () => 'ok')).toBe('ok');
  });

  it('reports an uncaught error that killed the worker between calls to no new call', () => {
    using bridge = new SyncBridge();
    const before = bridge.run(threadId);
    bridge.run(() => {
      setTimeout(() => {
        throw new Error('stray timer');
      }, 10);
    });
    // Blocked, so the caller never sees the Worker's 'exit' event: the control array must tell it.
    sleepSync(300);
    expect(bridge.run(async () => 'fresh worker')).toBe('fresh worker');
    expect(bridge.run(threadId)).not.toBe(before);
  });
});

describe('close()', () => {
  it('refuses new calls and ends open streams with BridgeClosedError', () => {
    const bridge = new SyncBridge();
    const stream = bridge.stream(async function* () {
      yield 1;
      yield 2;
    });
    bridge.close();
    bridge.close(); // idempotent
    expect(bridge.closed).toBe(true);
    const error = thrown(() => bridge.run(async () => 1));
    expect(error).toBeInstanceOf(BridgeClosedError);
    expect(error.code).toBe('ERR_X_BRIDGE_CLOSED');
    expect(() => [...stream]).toThrow(BridgeClosedError);
  });

  it('is what `using` calls', () => {
    let escaped: SyncBridge;
    {
      using bridge = new SyncBridge();
      bridge.run(async () => 1);
      escaped = bridge;
    }
    expect(escaped.closed).toBe(true);
  });
});

describe('the process', () => {
  it('runs a module function named by its .js output name (NodeNext) in an app run by tsx (issue 13)', async () => {
    const app = fileURLToPath(new URL('./fixtures/tsx-app.ts', import.meta.url));
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [tsx, app], { timeout: 20_000 });
    expect(stderr).toBe('');
    expect(stdout).toBe('hello bridge');
  }, 30_000);

  it('sees console output of bridged code on its stdout, in order, and exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/console-order.mjs', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
    expect(stdout).toBe(
      [
        'before',
        'inside 1',
        'inside 2',
        'after value',
        'producing a',
        'consumed a',
        'producing b',
        'consumed b',
        'producing c',
        'consumed c',
        'end',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('to stderr\n');
  }, 30_000);

  it('closes the producer of a stream that was dropped unfinished, once it is garbage-collected', async () => {
    const script = fileURLToPath(new URL('./fixtures/abandoned-stream.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script], {
      timeout: 20_000,
    });
    expect(stdout).toBe('finally ran: 1');
  }, 30_000);

  it('the default bridge streams too (smoke)', () => {
    expect([
      ...runSyncStream(async function* () {
        yield 'ok';
      }),
    ]).toEqual(['ok']);
  });
});
