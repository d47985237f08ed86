// Tracks the pending timers of a web global scope (page, Web Worker, edge worker) for suites/web-timers.mjs.
const pending = new Set();
const { setTimeout: set, clearTimeout: clear } = globalThis;
globalThis.setTimeout = (fn, ms, ...args) => {
  const id = set(
    (...a) => {
      pending.delete(id);
      fn(...a);
    },
    ms,
    ...args,
  );
  pending.add(id);
  return id;
};
globalThis.clearTimeout = (id) => {
  pending.delete(id);
  clear(id);
};
globalThis.__timerProbe = { pending };
