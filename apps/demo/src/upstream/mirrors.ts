/** Longest extra latency a request may ask for with `?delay_ms=`. */
export const MAX_EXTRA_LATENCY_MS = 10_000;

/**
 * The extra latency a request asks for with `?delay_ms=N` (0 to 10,000; anything else counts as 0), on top of
 * the fake's own latency: how the demo's "fastest mirror" route makes one upstream look like mirrors at
 * different distances, so the slower mirrors' requests are still open when the fastest answers (and the fake's
 * `abandoned` counter shows they were aborted).
 */
export function extraLatencyMs(url: URL): number {
  const ms = Number(url.searchParams.get('delay_ms') ?? 0);
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_EXTRA_LATENCY_MS ? ms : 0;
}
