/**
 * The flaky part of the upstream fake: `GET /flaky/orders?user_id=&key=&failures=` answers like `/orders`,
 * except that the first `failures` calls (default 1) made with the same `key` fail with a 503. The demo
 * server's `/dashboard/flaky` route sends one key per request, so every request meets a fresh failure and
 * shows `retry` fixing it. Keys are forgotten oldest first beyond {@link MAX_KEYS}, so the fake's memory
 * stays bounded however long it runs.
 */

/** How many keys the fake remembers at once. */
export const MAX_KEYS = 10_000;

/** The most failures one key may ask for. */
export const MAX_FAILURES = 100;

export interface FlakyCounter {
  /**
   * Counts one call for the key in `query` and says whether it must fail. A missing `key` shares one counter
   * per `user_id`; `failures` outside 0..{@link MAX_FAILURES} (or not an integer) counts as 1.
   */
  shouldFail(query: URLSearchParams): boolean;
}

/** A fresh counter, one per running fake. */
export function createFlakyCounter(): FlakyCounter {
  const calls = new Map<string, number>();
  return {
    shouldFail(query) {
      const key = query.get('key') ?? `user:${query.get('user_id')}`;
      const asked = Number(query.get('failures') ?? 1);
      const failures = Number.isInteger(asked) && asked >= 0 && asked <= MAX_FAILURES ? asked : 1;
      const made = (calls.get(key) ?? 0) + 1;
      // Re-inserted on every call, so the Map's order is least recently used first.
      calls.delete(key);
      calls.set(key, made);
      if (calls.size > MAX_KEYS) calls.delete(calls.keys().next().value as string);
      return made <= failures;
    },
  };
}
