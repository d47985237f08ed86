import { afterEach, describe, expect, it, vi } from 'vitest';

// runtime.ts picks its strategies when it loads, like the pure packages that bundle it: each case loads a fresh
// copy under the globals of the runtime it stands for.
async function load() {
  vi.resetModules();
  return import('../src/runtime.ts');
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('nextTurn', () => {
  it("uses Node's setImmediate where it exists", async () => {
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    const { nextTurn } = await load();
    const ran = await new Promise<boolean>((resolve) => nextTurn(() => resolve(true)));
    expect(ran).toBe(true);
    expect(immediate).toHaveBeenCalledTimes(1);
  });

  it('falls back to a zero-delay setTimeout where there is no setImmediate (browsers, edge workers)', async () => {
    vi.stubGlobal('setImmediate', undefined);
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const { nextTurn } = await load();
    let ran = false;
    nextTurn(() => {
      ran = true;
    });
    expect(ran).toBe(false); // never synchronous
    expect(timeout).toHaveBeenCalledWith(expect.any(Function), 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ran).toBe(true);
  });
  it('looks setImmediate up at each call, so fake timers installed after load apply (as they do to setTimeout)', async () => {
    const { nextTurn } = await load();
    const calls: unknown[] = [];
    vi.stubGlobal('setImmediate', (fn: () => void) => {
      calls.push(fn);
      fn();
    });
    let ran = false;
    nextTurn(() => {
      ran = true;
    });
    expect(calls).toHaveLength(1);
    expect(ran).toBe(true);
  });
});

describe('unrefTimer / refTimer', () => {
  it('unrefs and refs a timer object (Node, Bun)', async () => {
    const { refTimer, unrefTimer } = await load();
    const timer = setTimeout(() => {}, 60_000);
    try {
      expect(unrefTimer(timer)).toBe(true);
      expect(timer.hasRef()).toBe(false);
      refTimer(timer);
      expect(timer.hasRef()).toBe(true);
    } finally {
      clearTimeout(timer);
    }
  });

  it("uses Deno.unrefTimer / Deno.refTimer for Deno's numeric ids", async () => {
    const deno = { unrefTimer: vi.fn(), refTimer: vi.fn() };
    vi.stubGlobal('Deno', deno);
    const { refTimer, unrefTimer } = await load();
    const id = 42 as unknown as ReturnType<typeof setTimeout>;
    expect(unrefTimer(id)).toBe(true);
    refTimer(id);
    expect(deno.unrefTimer).toHaveBeenCalledWith(42);
    expect(deno.refTimer).toHaveBeenCalledWith(42);
  });

  it('returns false where timers are plain numbers with no unref (browsers, edge workers)', async () => {
    const { refTimer, unrefTimer } = await load();
    const id = 7 as unknown as ReturnType<typeof setTimeout>;
    expect(unrefTimer(id)).toBe(false);
    expect(() => refTimer(id)).not.toThrow();
  });
});

describe('nodeBuiltin / allowManyListeners', () => {
  it("lifts Node's listener-count warning on a signal", async () => {
    const { allowManyListeners } = await load();
    const controller = new AbortController();
    allowManyListeners(controller.signal);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 20; i++) controller.signal.addEventListener('abort', () => {});
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('finds nothing, and throws nothing, where process.getBuiltinModule is missing or throws', async () => {
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
    let mod = await load();
    expect(mod.nodeBuiltin('node:events')).toBeUndefined();
    expect(() => mod.allowManyListeners(new AbortController().signal)).not.toThrow();
    vi.stubGlobal('process', {
      ...process,
      getBuiltinModule: () => {
        throw new Error('polyfilled process without node:events');
      },
    });
    mod = await load();
    expect(mod.nodeBuiltin('node:events')).toBeUndefined();
  });
});

describe('cpuTime', () => {
  it("is this thread's CPU time in ms where the runtime has it, else the process's, and grows with work", async () => {
    const { cpuTime } = await load();
    const before = cpuTime();
    const end = performance.now() + 20;
    while (performance.now() < end);
    const spent = cpuTime() - before;
    expect(spent).toBeGreaterThan(5); // 20 ms of busy loop; generous for a machine that preempts us
    expect(spent).toBeLessThan(10_000);
  });

  it('is NaN where the runtime has no CPU clock (a browser page) or refuses it', async () => {
    vi.stubGlobal('process', undefined);
    expect(Number.isNaN((await load()).cpuTime())).toBe(true);
    vi.stubGlobal('process', {
      cpuUsage: () => {
        throw new Error('denied');
      },
    });
    expect(Number.isNaN((await load()).cpuTime())).toBe(true);
  });
});

describe('availableCpus', () => {
  it("is Node's os.availableParallelism() where the runtime has node:os", async () => {
    const { availableParallelism } = await import('node:os');
    expect((await load()).availableCpus()).toBe(availableParallelism());
  });

  it('is undefined where the runtime does not say (no process.getBuiltinModule)', async () => {
    vi.stubGlobal('process', undefined);
    expect((await load()).availableCpus()).toBeUndefined();
  });
});

describe('spinCanPay', () => {
  it('is true only with more than one CPU, and where the count is unknown', async () => {
    const { spinCanPay } = await load();
    expect(spinCanPay(1)).toBe(false);
    expect(spinCanPay(2)).toBe(true);
    expect(spinCanPay(undefined)).toBe(true);
  });

  it('reads os.availableParallelism() when given no count (a process pinned to one CPU sees 1)', async () => {
    const os = (await import('node:os')).default;
    const spy = vi.spyOn(os, 'availableParallelism').mockReturnValue(1);
    expect((await load()).spinCanPay()).toBe(false);
    spy.mockReturnValue(4);
    expect((await load()).spinCanPay()).toBe(true);
  });
});

describe('preempted', () => {
  it('is a turn more than 1 ms late with under half of that time on the CPU', async () => {
    const { preempted } = await load();
    expect(preempted(2, 0.5)).toBe(true);
    expect(preempted(2, 0.999)).toBe(true);
    expect(preempted(2, 1)).toBe(false); // half the time on the CPU: a garbage collection, a long callback
    expect(preempted(1, 0)).toBe(false); // 1 ms late is not late enough
    expect(preempted(1.01, 0)).toBe(true);
    expect(preempted(0.5, 0)).toBe(false);
  });
});

describe('systemLoad', () => {
  it("is Node's one-minute load average and the machine's CPU count", async () => {
    const os = await import('node:os');
    const system = (await load()).systemLoad();
    expect(system?.cpus).toBe(os.cpus().length);
    expect(system?.average).toBeGreaterThanOrEqual(0);
    expect(Math.abs((system?.average ?? 0) - os.loadavg()[0]!)).toBeLessThan(1);
  });

  it('is undefined where the runtime does not say (no process.getBuiltinModule) or refuses', async () => {
    vi.stubGlobal('process', undefined);
    expect((await load()).systemLoad()).toBeUndefined();
    vi.unstubAllGlobals();
    const os = (await import('node:os')).default;
    vi.spyOn(os, 'loadavg').mockImplementation(() => {
      throw new Error('NotCapable');
    });
    expect((await load()).systemLoad()).toBeUndefined();
  });

  it('never calls os.loadavg() in a Deno that has not granted --allow-sys (it would prompt the user)', async () => {
    const os = (await import('node:os')).default;
    const loadavg = vi.spyOn(os, 'loadavg');
    const cpus = vi.spyOn(os, 'cpus');
    const asked: string[] = [];
    const state = { loadavg: 'prompt', cpus: 'prompt' } as Record<string, string>;
    vi.stubGlobal('Deno', {
      permissions: {
        querySync: ({ name, kind }: { name: string; kind: string }) => {
          asked.push(`${name}:${kind}`);
          return { state: state[kind] };
        },
      },
    });
    const { systemLoad } = await load();
    expect(systemLoad()).toBeUndefined();
    expect(asked).toEqual(['sys:loadavg']);
    state.loadavg = 'granted';
    expect(systemLoad()).toBeUndefined(); // cpus not granted
    expect(loadavg).not.toHaveBeenCalled();
    expect(cpus).not.toHaveBeenCalled();
    state.cpus = 'granted';
    expect(systemLoad()?.cpus).toBeGreaterThan(0);
    expect(loadavg).toHaveBeenCalledTimes(1);
  });
});
