import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertRuntimeSupport, Pool, RuntimeSupportError, runtimeName } from '../src/index.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A Deno global whose permissions grant only `granted`, as `deno run --allow-<granted>` would. */
function fakeDeno(granted: string[], terminal = false) {
  const querySync = vi.fn(({ name }: { name: string }) => ({
    state: granted.includes(name) ? 'granted' : 'prompt',
  }));
  vi.stubGlobal('Deno', {
    version: { deno: '2.9.6' },
    permissions: { querySync },
    stdin: { isTerminal: () => terminal },
  });
  return querySync;
}

const processNeeds = {
  permissions: [
    { name: 'run', why: 'to start its child processes' },
    { name: 'env', why: 'to read the environment' },
    {
      name: 'read',
      why: 'to load its child script',
      path: new URL('file:///app/node_modules/@x/process-pool/dist/'),
    },
  ],
} as const;

describe('assertRuntimeSupport', () => {
  it('does nothing on Node, whatever is asked', () => {
    expect(runtimeName()).toBe(`Node ${process.versions.node}`);
    expect(() =>
      assertRuntimeSupport('@x/process-pool', { ...processNeeds, resourceLimits: true }),
    ).not.toThrow();
  });

  it('names Deno and every missing --allow-* flag, with why, at once', () => {
    const query = fakeDeno(['read']);
    let error: unknown;
    try {
      assertRuntimeSupport('@x/process-pool', processNeeds);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuntimeSupportError);
    expect(error).toMatchObject({
      name: 'RuntimeSupportError',
      code: 'ERR_X_RUNTIME_UNSUPPORTED',
      runtime: 'Deno 2.9.6',
      permissions: ['--allow-run', '--allow-env'],
    });
    expect((error as Error).message).toMatch(
      /^@x\/process-pool needs Deno's --allow-run permission \(to start its child processes\), --allow-env .*Deno 2\.9\.6.*Run again with --allow-run --allow-env\.$/,
    );
    // The read permission is asked for the package's own folder, so --allow-read=<that folder> is enough.
    expect(query).toHaveBeenCalledWith({ name: 'read', path: '/app/node_modules/@x/process-pool/dist/' });
  });

  it("passes when Deno granted everything, and leaves a terminal user to Deno's own prompt", () => {
    fakeDeno(['run', 'env', 'read']);
    expect(() => assertRuntimeSupport('@x/process-pool', processNeeds)).not.toThrow();
    fakeDeno([], true);
    expect(() => assertRuntimeSupport('@x/process-pool', processNeeds)).not.toThrow();
  });

  it('refuses resourceLimits on Bun and on Deno, naming the runtime and the feature', () => {
    vi.stubGlobal('Bun', { version: '1.4.4' });
    expect(() => assertRuntimeSupport('@x/to-thread', { resourceLimits: true })).toThrow(
      /^@x\/to-thread cannot apply "resourceLimits" on Bun 1\.4\.4: Bun's worker_threads .* do not enforce it/,
    );
    expect(() => assertRuntimeSupport('@x/to-thread', { resourceLimits: false })).not.toThrow();
    vi.unstubAllGlobals();
    fakeDeno(['read']);
    expect(() => assertRuntimeSupport('@x/to-thread', { resourceLimits: true })).toThrow(
      expect.objectContaining({ runtime: 'Deno 2.9.6', feature: 'worker_threads resourceLimits' }),
    );
  });
});

describe('Pool when its transport cannot be created', () => {
  // Before the fix the half-made worker stayed listed, and shutdown() threw
  // "TypeError: Cannot read properties of undefined (reading 'terminate')" (found on Deno without permissions).
  it('fails the submit with the factory error and still shuts down cleanly', async () => {
    const denied = new Error('Requires run access');
    const pool = new Pool({
      transport: () => {
        throw denied;
      },
      maxWorkers: 1,
    });
    const outcome = await Promise.resolve()
      .then(() => pool.submit((n: number) => n, [1]))
      .then(
        () => 'fulfilled',
        (error: unknown) => error,
      );
    expect(outcome).toBe(denied);
    await expect(pool.shutdown()).resolves.toBeUndefined();
  });
});
