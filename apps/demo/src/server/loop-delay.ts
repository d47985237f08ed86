/**
 * Measures how late the event loop runs a timer: the delay every other request on this server waits for.
 * A tick that should fire every `intervalMs` and fires `d` ms late means the loop was blocked for ~`d` ms.
 */
export function watchLoopDelay(intervalMs: number, onSample: (delayMs: number) => void): () => void {
  let expected = performance.now() + intervalMs;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    onSample(Math.max(0, Math.round((now - expected) * 10) / 10));
    expected = now + intervalMs;
    timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return () => clearTimeout(timer);
}
