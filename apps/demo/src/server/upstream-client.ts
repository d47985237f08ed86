import { UpstreamError } from './errors.js';

/** Largest upstream body the server reads; bigger answers are refused rather than buffered. */
export const MAX_UPSTREAM_BYTES = 1024 * 1024;

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

/**
 * GETs `url` and parses its JSON body. Redirects are not followed (a redirect could leave the allowlist),
 * bodies are bounded, and an aborted `signal` rejects with the signal's own reason (so a deadline stays a
 * `TimeoutError`); an unreachable host, a redirect, a body that is not JSON or is too large are
 * `UpstreamError`s (502). Any HTTP status is returned: the caller decides what a 404 means.
 */
export async function getJson(url: string | URL, signal: AbortSignal): Promise<UpstreamResponse> {
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new UpstreamError('The upstream could not be reached.', { cause: error });
  }
  try {
    if (response.status >= 300 && response.status < 400) {
      throw new UpstreamError(
        `The upstream answered with a redirect (${response.status}), which is not followed.`,
        {
          details: { upstreamStatus: response.status },
        },
      );
    }
    const text = await readBounded(response, signal);
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch (error) {
      throw new UpstreamError('The upstream did not answer with JSON.', {
        cause: error,
        details: { upstreamStatus: response.status },
      });
    }
  } finally {
    // Release the connection whatever happened above; cancelling a consumed body is a no-op.
    await response.body?.cancel().catch(() => {});
  }
}

async function readBounded(response: Response, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_UPSTREAM_BYTES) throw tooLarge();
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_UPSTREAM_BYTES) throw tooLarge();
      parts.push(value);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError('The upstream connection failed while its answer was being read.', {
      cause: error,
    });
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(parts).toString('utf8');
}

function tooLarge(): UpstreamError {
  return new UpstreamError(`The upstream answer is larger than ${MAX_UPSTREAM_BYTES} bytes.`);
}
