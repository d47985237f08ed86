import { describe, expect, it } from 'vitest';
import blockingCall from '../src/scenarios/pitfall/blocking-call.js';
import missingAwait from '../src/scenarios/pitfall/missing-await.js';
import nestedBridge from '../src/scenarios/pitfall/nested-bridge.js';
import { runScenario } from './scenarios-harness.js';

describe('pitfall/missing-await', () => {
  it('gets a pending promise without await, and a forgotten failing call ends its script with code 1', async () => {
    const outcome = await runScenario(missingAwait);
    expect(outcome.data.shown).toBe('Promise { <pending> }');
    expect(outcome.data.looksLikeList).toBe(false);
    expect(outcome.data.awaited).toEqual([1, 2, 3]);
    expect(outcome.data.childCode).toBe(1);
    expect(outcome.data.reported).toBe(true);
    // The process died before its next timer: the rejection was fatal, not a warning.
    expect(outcome.data.wentOn).toBe(false);
    expect(outcome.ok).toBe(true);
  });

  it('catches the same forgotten rejection with an unhandledRejection handler that explains it, and the script goes on', async () => {
    const outcome = await runScenario(missingAwait);
    expect(outcome.data.explanation).toMatch(
      /^unhandledRejection: "disk full while saving the report"\. A promise failed and nothing awaited it/,
    );
    // The handler kept the process alive: its next timer ran and it ended normally.
    expect(outcome.data.handledWentOn).toBe(true);
    expect(outcome.data.handledCode).toBe(0);
    expect(outcome.measured).toContain(
      'with an unhandledRejection handler the failure was logged and explained',
    );
    expect(outcome.lines.some((line) => line.includes('the handler logged: unhandledRejection:'))).toBe(true);
    expect(outcome.ok).toBe(true);
  });
});

describe('pitfall/nested-bridge', () => {
  it('fails a runSync nested in a bridge function at once with ReentrantCallError, and allows runSync from async code', async () => {
    const outcome = await runScenario(nestedBridge);
    expect(outcome.data.errorName).toBe('ReentrantCallError');
    expect(outcome.data.errorMessage).toMatch(/deadlock/);
    // A deadlock would have hit the bridge's timeout instead of failing at once.
    expect(outcome.data.nestedMs).toBeLessThan(5000);
    expect(outcome.data.fromAsync).toBe('processed: called from async code');
    expect(outcome.ok).toBe(true);
  });
});

describe('pitfall/blocking-call', () => {
  it('stalls the event loop for about the call when blocking, and barely at all through toThread', async () => {
    // ×0.1: a 200 ms stall stands well clear of the noise of a shared machine.
    const outcome = await runScenario(blockingCall, { scale: 0.1 });
    const { blockMs, blocked, threaded } = outcome.data;
    expect(blocked.maxDelayMs).toBeGreaterThanOrEqual(blockMs * 0.8);
    expect(threaded.maxDelayMs).toBeLessThan(blocked.maxDelayMs * 0.5);
    // The heartbeat kept beating only while the call ran elsewhere.
    expect(threaded.heartbeats).toBeGreaterThan(blocked.heartbeats);
    expect(outcome.ok).toBe(true);
  });
});
