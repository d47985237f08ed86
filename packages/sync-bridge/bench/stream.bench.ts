/**
 * Streaming from an async generator to a synchronous for...of: throughput of 100,000 small chunks, and how
 * soon a chunk reaches the consumer after the producer yields it. No peer streams: synckit can only collect
 * every chunk in its worker and return them at once.
 */

import { SyncBridge } from '@x/sync-bridge';
import { createSyncFn } from 'synckit';
import {
  measured,
  median,
  percentile,
  quick,
  throughput,
  type Workload,
} from '../../../scripts/bench/kit.ts';

const CHUNKS = 100_000;

async function* tokens(n: number) {
  for (let i = 0; i < n; i++) yield `tok${i}`;
}

/** Chunks that each carry the wall-clock time (ms, µs precision) at which the producer yielded them. */
async function* stamped(n: number, gapMs: number) {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    yield performance.timeOrigin + performance.now();
  }
}

export default async (): Promise<Workload[]> => {
  const bridge = new SyncBridge();
  const collect = createSyncFn<(n: number) => Promise<string[]>>(
    new URL('./fixtures/synckit-stream.mjs', import.meta.url).pathname,
  );
  const speed = await throughput(
    `stream ${CHUNKS.toLocaleString('en-US')} small chunks to a sync for...of`,
    CHUNKS,
    [
      {
        name: '@x/sync-bridge runSyncStream',
        ours: true,
        run: () => {
          let n = 0;
          for (const _ of bridge.stream(tokens, CHUNKS)) n++;
          if (n !== CHUNKS) throw new Error(`got ${n} chunks`);
        },
      },
      {
        name: 'synckit (collect all, then iterate)',
        run: () => {
          let n = 0;
          for (const _ of collect(CHUNKS)) n++;
          if (n !== CHUNKS) throw new Error(`got ${n} chunks`);
        },
      },
    ],
    { target: '>= 200,000 chunks/s' },
  );

  // Time to each chunk: the producer yields every `gap` ms, so the consumer is always already waiting.
  const lags: number[] = [];
  const count = quick ? 30 : 200;
  for (const at of bridge.stream(stamped, count, 5))
    lags.push((performance.timeOrigin + performance.now() - at) * 1000);
  // synckit's first chunk arrives only with the last one: the whole stream's duration after the first yield.
  const t0 = performance.now();
  collect(1);
  const synckitOne = (performance.now() - t0) * 1000;
  bridge.close();
  return [
    { ...speed, unit: 'chunks/s' },
    measured(
      'delay from a chunk being yielded to the sync consumer having it (median)',
      'µs',
      'lower',
      [
        {
          name: '@x/sync-bridge runSyncStream',
          ours: true,
          value: median(lags),
          detail: { samples: lags.length, p99: percentile(lags, 99) },
        },
        { name: 'synckit (1-chunk stream, round trip)', value: synckitOne },
      ],
      '<= 1,000 µs',
    ),
  ];
};
