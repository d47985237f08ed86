import { describe, expect, it } from 'vitest';
import { CancelRegistry, compileSource } from '../src/worker-support.js';

describe('compileSource (worker side of allowSourceFunctions)', () => {
  it('makes a function whose source text is exactly what the executor sent, once per text', () => {
    const source = '(a, b) => a + b';
    const fn = compileSource(source);
    expect(Function.prototype.toString.call(fn)).toBe(source);
    expect(compileSource(source)).toBe(fn);
    const method = compileSource('run(x) { return x * 2; }');
    expect(Function.prototype.toString.call(method)).toBe('run(x) { return x * 2; }');
  });

  it('never runs code of the text in the worker process: no process, no require, bounded time', () => {
    expect(() => compileSource('process.exit(1)')).toThrow(/process is not defined/);
    const t0 = performance.now();
    expect(() => compileSource('(() => { for (;;) {} })()')).toThrow(/timed out/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(() => compileSource('42')).toThrow(/not a function/);
  });
});

describe('CancelRegistry', () => {
  it('aborts a running job, and a job whose cancel arrived before it started', () => {
    const cancels = new CancelRegistry();
    const running = cancels.register('a');
    cancels.cancel('a');
    expect(running.signal.aborted).toBe(true);
    cancels.cancel('b');
    expect(cancels.register('b').signal.aborted).toBe(true);
    // Remembered once: the same id registered again (a retry) starts clean.
    cancels.release('b');
    expect(cancels.register('b').signal.aborted).toBe(false);
  });
});
