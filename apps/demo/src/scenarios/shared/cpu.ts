/**
 * The article's CPU-bound function, `sum(range(n))`. It is self-contained (it uses only its parameter), so
 * it can be sent to a worker thread or a child process as it is.
 */
export const sumRange = (n: number): number => {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
};

/** The size of the article's CPU-bound example, `sum(range(10_000_000))`. */
export const articleCpuIterations = 10_000_000;

/**
 * Says how many numbers were summed here next to the article's size, and why they differ: V8 runs the
 * article's loop in about 15 ms, too short to measure past a worker's start-up, so the tour sums more.
 *
 * @example
 * ```ts
 * workloadNote(100_000_000); // "summed 100,000,000 numbers per call, 10× the article's range(10_000_000): ..."
 * ```
 */
export function workloadNote(n: number): string {
  const count = (value: number) => value.toLocaleString('en-US');
  if (n === articleCpuIterations) return `summed ${count(n)} numbers per call, the article's own size`;
  const ratio = n / articleCpuIterations;
  return (
    `summed ${count(n)} numbers per call, ${Number.isInteger(ratio) ? ratio : ratio.toFixed(2)}× the ` +
    `article's range(10_000_000): V8 sums the article's ${count(articleCpuIterations)} in about 15 ms, ` +
    "too short to measure past a worker's start-up"
  );
}

/** The exact value of `sumRange(n)`, to check every result. */
export const expectedSum = (n: number): number => (n * (n - 1)) / 2;

/**
 * Times `a` and `b` in alternation, `rounds` times each, and keeps each one's fastest run: other programs
 * share the machine, alternating exposes both to the same background load, and the fastest run is the one
 * least disturbed by it.
 */
export async function fastestOfEach(
  rounds: number,
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
): Promise<[number, number]> {
  let bestA = Number.POSITIVE_INFINITY;
  let bestB = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    await a();
    bestA = Math.min(bestA, performance.now() - start);
    start = performance.now();
    await b();
    bestB = Math.min(bestB, performance.now() - start);
  }
  return [bestA, bestB];
}
