// The conformance suite's own test runner: a few lines of plain JavaScript that run unchanged in Node, Bun,
// Deno, a browser page, a Web Worker and an edge-style global scope (no Node API, no test framework), so the
// suites test the packages' public behaviour and nothing of a runner's internals.

const tests = [];

/** Registers a test of package `pkg`. A test fails if it throws, rejects, or takes longer than `timeout` ms. */
export function test(pkg, name, fn, { timeout = 10_000 } = {}) {
  tests.push({ pkg, name, fn, timeout });
}

export class AssertionError extends Error {
  name = 'AssertionError';
}

function show(value) {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

/** Deep equality for JSON-like values (arrays, plain objects, primitives). */
export function equal(actual, expected, what = 'value') {
  if (show(actual) !== show(expected)) {
    throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function ok(condition, message) {
  if (!condition) throw new AssertionError(message);
}

/** Awaits `promise` and returns what it rejected with; fails if it fulfilled. */
export async function rejects(promise, what = 'promise') {
  try {
    const value = await promise;
    throw new AssertionError(`${what}: expected a rejection, fulfilled with ${show(value)}`);
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    return error;
  }
}

/** Calls `fn` and returns what it threw; fails if it returned. */
export function throws(fn, what = 'call') {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(`${what}: expected a throw`);
}

export const delay = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value));

function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Runs every registered test whose package is in `packages` (all when omitted), one at a time, and returns
 * one record per test. Never rejects: a failing or hanging test is a failed record.
 */
export async function run({ packages, log = () => {} } = {}) {
  const results = [];
  for (const t of tests) {
    if (packages && !packages.includes(t.pkg)) continue;
    let timer;
    const started = Date.now();
    try {
      await Promise.race([
        Promise.resolve().then(t.fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${t.timeout} ms`)), t.timeout);
        }),
      ]);
      results.push({ pkg: t.pkg, name: t.name, ok: true, ms: Date.now() - started });
      log(`ok   ${t.pkg}: ${t.name}`);
    } catch (error) {
      results.push({
        pkg: t.pkg,
        name: t.name,
        ok: false,
        error: describeError(error),
        ms: Date.now() - started,
      });
      log(`FAIL ${t.pkg}: ${t.name}: ${describeError(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}
