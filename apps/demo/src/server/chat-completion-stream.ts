/**
 * The async side of `/chat`: opens a streamed chat completion with the official `openai` client and
 * returns an async iterable of the answer's text pieces.
 *
 * It runs inside the sync-bridge worker, so it is self-contained: everything it needs arrives as an
 * argument, and the client is loaded with `await import()` inside. The module is passed as a resolved URL
 * because a bare `import('openai')` would resolve from the bridge package's folder, not from this app's.
 *
 * The iterable is hand-written rather than an `async function*` for one reason: a generator's `return()`
 * waits until its pending `await` settles, so a client that leaves while the upstream is silent would
 * keep the upstream request open until the next word. Here `return()` aborts the request at once.
 *
 * Errors leave with a `code` (`ERR_X_UPSTREAM` or `ERR_X_UPSTREAM_TIMEOUT`) and a message that is safe to
 * show to a client: the upstream's own error text stays in the worker.
 */
export async function chatCompletionStream(
  openaiModuleUrl: string,
  baseURL: string,
  apiKey: string,
  model: string,
  prompt: string,
  idleTimeoutMs: number,
): Promise<AsyncIterable<string>> {
  const failure = (code: string, message: string, cause?: unknown) =>
    Object.assign(new Error(message, { cause }), { name: 'ChatUpstreamError', code });
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  // Each wait for the upstream is bounded, so the synchronous consumer never blocks for longer.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleTimeoutMs);
  };
  const explain = (error?: unknown) => {
    if (timedOut) {
      return failure('ERR_X_UPSTREAM_TIMEOUT', `The chat API sent nothing for ${idleTimeoutMs} ms.`, error);
    }
    const status = (error as { status?: unknown }).status;
    return typeof status === 'number'
      ? failure('ERR_X_UPSTREAM', `The chat API answered with HTTP ${status}.`, error)
      : failure('ERR_X_UPSTREAM', 'The chat API could not be reached or broke off the answer.', error);
  };

  const { default: OpenAI } = (await import(openaiModuleUrl)) as typeof import('openai');
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  arm();
  let iterator: AsyncIterator<{ choices: { delta?: { content?: string | null } }[] }>;
  try {
    const stream = await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: prompt }], stream: true },
      { signal: controller.signal },
    );
    iterator = stream[Symbol.asyncIterator]();
  } catch (error) {
    clearTimeout(timer);
    throw explain(error);
  }
  clearTimeout(timer);

  return {
    [Symbol.asyncIterator]() {
      return {
        async next(): Promise<IteratorResult<string>> {
          arm();
          try {
            for (;;) {
              const step = await iterator.next();
              // The client's stream ends quietly when aborted: a deadline must not look like a full answer.
              if (step.done && timedOut) throw explain();
              if (step.done) return { done: true, value: undefined };
              const content = step.value.choices[0]?.delta?.content;
              if (content) return { done: false, value: content };
            }
          } catch (error) {
            throw (error as { code?: unknown }).code === 'ERR_X_UPSTREAM_TIMEOUT' ? error : explain(error);
          } finally {
            clearTimeout(timer);
          }
        },
        async return(): Promise<IteratorResult<string>> {
          clearTimeout(timer);
          controller.abort();
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
