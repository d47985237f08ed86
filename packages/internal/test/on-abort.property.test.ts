import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onAbort } from '../src/index.ts';

/** How many real `abort` listeners the signal holds. */
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('onAbort (property)', () => {
  type Command =
    | { kind: 'subscribe'; signal: number; removes: number | null }
    | { kind: 'unsubscribe'; pick: number }
    | { kind: 'abort'; signal: number };

  const SIGNALS = 3;
  const command: fc.Arbitrary<Command> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('subscribe' as const),
        signal: fc.nat(SIGNALS - 1),
        // When called, this listener unsubscribes the subscription at this index (if any): listeners that
        // remove others mid-dispatch.
        removes: fc.option(fc.nat(60), { freq: 4 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat(60) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), signal: fc.nat(SIGNALS - 1) }) },
  );

  it('random interleavings of subscribe, unsubscribe and abort call exactly the live subscribers, once, in order, as EventTarget listeners would be', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
        // The same commands, applied to onAbort on one set of signals and to addEventListener on another
        // (the oracle), must produce the same calls; and the model (who is live) must agree with both.
        const ours = Array.from({ length: SIGNALS }, () => new AbortController());
        const oracle = Array.from({ length: SIGNALS }, () => new AbortController());
        const ourCalls: number[] = [];
        const oracleCalls: number[] = [];
        const subs: Array<{ unsubscribe(): void }> = [];
        const oracleRemove: Array<() => void> = [];
        /** Model: per subscription, its signal, whether it is live, whether it was called. */
        const model: Array<{ signal: number; live: boolean; called: number; removes: number | null }> = [];
        for (const c of commands) {
          if (c.kind === 'subscribe') {
            const id = model.length;
            const entry = {
              signal: c.signal,
              live: !ours[c.signal]!.signal.aborted,
              called: 0,
              removes: c.removes,
            };
            model.push(entry);
            subs.push(
              onAbort(ours[c.signal]!.signal, () => {
                ourCalls.push(id);
                if (c.removes !== null) subs[c.removes]?.unsubscribe();
              }),
            );
            const listener = () => {
              oracleCalls.push(id);
              if (c.removes !== null) oracleRemove[c.removes]?.();
            };
            oracle[c.signal]!.signal.addEventListener('abort', listener, { once: true });
            oracleRemove.push(() => oracle[c.signal]!.signal.removeEventListener('abort', listener));
          } else if (c.kind === 'unsubscribe') {
            if (model.length === 0) continue;
            const id = c.pick % model.length;
            subs[id]!.unsubscribe();
            oracleRemove[id]!();
            model[id]!.live = false;
          } else {
            // Model of the dispatch: live subscribers of that signal in order, skipping any removed mid-way.
            const expected: number[] = [];
            if (!ours[c.signal]!.signal.aborted) {
              for (let id = 0; id < model.length; id++) {
                const entry = model[id]!;
                if (entry.signal !== c.signal || !entry.live) continue;
                entry.live = false;
                entry.called++;
                expected.push(id);
                if (entry.removes !== null && model[entry.removes] !== undefined)
                  model[entry.removes]!.live = false;
              }
            }
            const before = ourCalls.length;
            ours[c.signal]!.abort(c.signal);
            oracle[c.signal]!.abort(c.signal);
            expect(ourCalls.slice(before)).toEqual(expected);
          }
          expect(ourCalls).toEqual(oracleCalls);
          for (let s = 0; s < SIGNALS; s++) {
            const live = model.some((e) => e.signal === s && e.live);
            expect(listeners(ours[s]!.signal)).toBe(live ? 1 : 0);
          }
        }
        expect(model.every((e) => e.called <= 1)).toBe(true);
        // Every call was of a subscription that was live at the time, and each at most once.
        expect(new Set(ourCalls).size).toBe(ourCalls.length);
      }),
      { numRuns: 500 },
    );
  });
});
