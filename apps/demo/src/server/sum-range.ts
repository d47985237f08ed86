/**
 * The source document's `sum(range(n))`: the sum of 0..n-1, by a plain loop so that it really costs CPU.
 * Self-contained (no captured variables) so `toThread` can run it in a worker thread. Exact for the
 * server's largest `n` (1e8: the sum stays below 2^53).
 */
export function sumRange(n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
}
