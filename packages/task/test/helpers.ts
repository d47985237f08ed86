import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';

export { sleep };

/** Fails the file if any promise, ours or the test's, was left to reject unhandled. */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    // Let late rejections of the last test surface before checking.
    await sleep(20);
    process.off('unhandledRejection', onRejection);
    expect(seen).toEqual([]);
  });
}

/** Records what happened, with time offsets, for order assertions. */
export function recorder() {
  const t0 = performance.now();
  const log: string[] = [];
  return {
    log,
    mark: (event: string) => log.push(event),
    elapsed: () => performance.now() - t0,
  };
}

/**
 * A local HTTP server whose `/slow` route never answers on its own; it records whether each request was
 * aborted by the client before a response was sent.
 */
export async function slowServer() {
  const requests: Array<{ url: string; aborted: Promise<boolean> }> = [];
  const arrived: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const aborted = new Promise<boolean>((resolve) => {
      res.on('close', () => resolve(!res.writableEnded));
    });
    requests.push({ url: req.url ?? '', aborted });
    arrived.shift()?.();
    if (req.url === '/fast') res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    /** Resolves when the next request reaches the server. */
    nextRequest: () => new Promise<void>((resolve) => arrived.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Work that waits until `signal` aborts and then rejects with its reason, as `fetch` does. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
