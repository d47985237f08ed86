// One real call per published package, shared by the pack smoke test (scripts/pack-smoke.mjs) and the
// release rehearsal (scripts/release-rehearse.mjs): beyond importing, so a missing worker file or a broken
// CJS shim shows up. Each snippet sees the module as `m` and leaves its answer in `r`.
export const calls = {
  '@x/timeout': ['r = await m.withTimeout(1000, async () => 42)', '42'],
  '@x/gather': ['r = (await m.gather([async () => 1, Promise.resolve(2)])).join()', '1,2'],
  '@x/task': ['r = await m.createTask(async () => 42)', '42'],
  '@x/locks': ['{ const lim = m.limit(1); r = await lim(async () => 42, { timeout: 1000 }); }', '42'],
  '@x/retry': [
    '{ let n = 0; r = await m.retry(() => { if (++n < 3) throw new Error("flaky"); return 40 + n - 1; }, { minDelay: 1 }); }',
    '42',
  ],
  '@x/queue': [
    '{ const q = new m.Queue({ maxsize: 1 }); await q.put(42); r = await q.get({ timeout: 1000 }); }',
    '42',
  ],
  '@x/executor': [
    'r = m.deserializeError(m.serializeError(new RangeError("x"))) instanceof RangeError',
    'true',
  ],
  '@x/to-thread': ['r = await m.toThread((a, b) => a + b, 40, 2)', '42'],
  '@x/process-pool': [
    '{ const p = new m.ProcessPool({ maxWorkers: 1 }); r = await p.submit((a) => a * 2, [21]); await p.shutdown(); }',
    '42',
  ],
  '@x/sync-bridge': ['r = m.runSync(async (a) => a + 1, 41)', '42'],
  // No Redis here: the call loads BullMQ and ioredis and must fail fast, naming the connection.
  '@x/distributed': [
    '{ const e = new m.DistributedExecutor({ connection: "redis://127.0.0.1:1", connectTimeout: 300, allowSourceFunctions: true }); r = await e.submit((a) => a, [1]).catch((x) => x.code); await e.shutdown(); }',
    'ERR_X_REDIS_UNAVAILABLE',
  ],
};

/**
 * The `node -e` programs that import `name` from ESM and from CommonJS and make its call, with the output
 * expected: `[[kind, nodeArgs, expected], ...]`.
 */
export function callPrograms(name) {
  const [call, expected] = calls[name] ?? ['r = Object.keys(m).length > 0', 'true'];
  const body = `let r; ${call}; console.log(String(r));`;
  const esm = `const m = await import(${JSON.stringify(name)}); ${body}`;
  const cjs = `(async () => { const m = require(${JSON.stringify(name)}); ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
  return [
    ['esm', ['--input-type=module', '-e', esm], expected, call],
    ['cjs', ['--input-type=commonjs', '-e', cjs], expected, call],
  ];
}
