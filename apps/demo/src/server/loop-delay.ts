/**
 * Measures how late the event loop runs timers: the delay every other request on this server waits for.
 * A probe timer fires every `probeMs`; each `intervalMs`, `onSample` receives the worst lateness seen since
 * the last sample. Sampling one timer per interval would miss a block that falls between two ticks (an
 * 80 ms block inside a 100 ms interval can leave the next tick on time); the probe cannot miss a block
 * longer than `probeMs`: it reports at least `block - probeMs`.
 */
export function watchLoopDelay(
  intervalMs: number,
  onSample: (delayMs: number) => void,
  probeMs = Math.min(10, intervalMs),
): () => void {
  let worst = 0;
  let expected = performance.now() + probeMs;
  let nextSample = performance.now() + intervalMs;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    if (now >= nextSample) {
      onSample(Math.round(worst * 10) / 10);
      worst = 0;
      nextSample = now + intervalMs;
    }
    expected = now + probeMs;
    timer = setTimeout(tick, probeMs);
  };
  timer = setTimeout(tick, probeMs);
  return () => clearTimeout(timer);
}
