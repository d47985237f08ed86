import { runSync } from '@x/sync-bridge';

// Stand-ins for the async_core article's sample functions. Both are self-contained (they use only their
// parameters and globals), so the sync bridge can run them in its worker as they are.

/** Like the article's `invoke_async`: answers after `delayMs`. */
export const invokeAsync = async (message: string, delayMs: number): Promise<string> => {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return `processed: ${message}`;
};

/** Like the article's `invoke_async_stream`: an LLM-like answer, one word every `stepMs`. */
export const invokeAsyncStream = async function* (
  words: readonly string[],
  stepMs: number,
): AsyncGenerator<string> {
  for (const word of words) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    yield word;
  }
};

/** The answer the fake LLM streams, word by word. */
export const answerWords = ['Node ', 'streams ', 'this ', 'answer ', 'word ', 'by ', 'word.'];

/**
 * The file URL of an installed package, for `await import(url)` inside code that runs in a worker: a bare
 * name there would be resolved from the worker's own file, not from this app.
 */
export function moduleUrl(specifier: string): string {
  return import.meta.resolve(specifier);
}

/**
 * Starts the sync bridge's worker (once per process) and says how long that took, so that the timings
 * that follow measure the calls and not the worker's start-up.
 */
export function warmUpBridge(log: (line: string) => void): void {
  const start = performance.now();
  runSync(async () => null);
  const ms = performance.now() - start;
  if (ms > 5) log(`(the bridge worker started in ${(ms / 1000).toFixed(2)} s)`);
}
