import { describe, expect, it } from 'vitest';
import { pickWorker } from '../src/dispatch.js';
import type { Transport } from '../src/transport.js';
import { STATE_LENGTH } from '../src/transport.js';
import { Slot } from '../src/worker-slot.js';

/** A slot whose transport shares its state (`Int32Array`) or not (`undefined`), as a thread or a Node child does. */
const slot = (id: number, { ready = true, shared = true, abandoned = 0, load = 0 } = {}) => {
  const s = new Slot(id);
  s.transport = { state: shared ? new Int32Array(STATE_LENGTH) : undefined } as unknown as Transport;
  s.ready = ready;
  s.abandoned = abandoned;
  for (let i = 0; i < load; i++) s.inflight.set(i + 1, {} as never);
  return s;
};

describe('pickWorker', () => {
  it('picks the least loaded worker, the first idle one at once', () => {
    const [a, b, c] = [slot(1, { load: 2 }), slot(2, { load: 1 }), slot(3, { load: 1 })];
    expect(pickWorker([a, b, c])).toBe(b);
    const idle = slot(4);
    expect(pickWorker([a, idle, b])).toBe(idle);
  });

  it('sends nothing to a worker holding an abandoned task when it cannot tell which tasks started', () => {
    // Ready and sharing its state: which task runs is known, so tasks may still go there.
    expect(pickWorker([slot(1, { abandoned: 1 })])?.id).toBe(1);
    // No shared state (a child whose progress file is unavailable): not until it answers or is stopped.
    expect(pickWorker([slot(1, { abandoned: 1, shared: false })])).toBeUndefined();
    // Not ready yet (issue 19 CI, Deno): its state reads as "nothing started" until it says whether it will
    // share it, and a Deno child does not; a task sent now failed as started when the stuck one was killed.
    expect(pickWorker([slot(1, { abandoned: 1, ready: false })])).toBeUndefined();
    expect(pickWorker([slot(1, { abandoned: 1, ready: false }), slot(2, { load: 3 })])?.id).toBe(2);
    // Without an abandoned task, a worker still starting takes tasks as before.
    expect(pickWorker([slot(1, { ready: false })])?.id).toBe(1);
  });
});
