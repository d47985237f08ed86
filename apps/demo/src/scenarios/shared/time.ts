/** Starts a clock; the returned function reads the milliseconds elapsed since. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}

/** `1234.5` -> `"1.23 s"`: how the tour prints a duration. */
export function seconds(ms: number): string {
  // Three decimals below 0.1 s, so scaled-down runs keep their precision.
  return `${(ms / 1000).toFixed(ms < 99.5 ? 3 : 2)} s`;
}

/** `12.345` -> `"12.3 ms"`: for short delays such as event-loop lag. */
export function millis(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}
