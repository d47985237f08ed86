/**
 * Every error the demo server answers with on purpose. Each carries the HTTP status it maps to and a
 * stable `code`; the error handler (./error-handler.ts) turns them into JSON, and anything else into a
 * plain 500 so that no stack trace or internal message reaches a client.
 */

export interface HttpErrorOptions {
  cause?: unknown;
  /** Extra fields for the JSON body (e.g. validation details). */
  details?: unknown;
}

/** Base class: an error with an HTTP status, a stable code and a message safe to show to clients. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: unknown;

  constructor(statusCode: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details;
  }
}

/** The upstream answered with an error, with something that is not JSON, or could not be reached: 502. */
export class UpstreamError extends HttpError {
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(502, 'ERR_X_UPSTREAM', message, options);
    this.name = 'UpstreamError';
  }
}

/** The upstream did not answer within the route's deadline; the request to it was aborted: 504. */
export class UpstreamTimeoutError extends HttpError {
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(504, 'ERR_X_UPSTREAM_TIMEOUT', message, options);
    this.name = 'UpstreamTimeoutError';
  }
}

/** The thing asked for does not exist (an unknown user): 404. */
export class NotFoundError extends HttpError {
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(404, 'ERR_X_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** `/fetch` was asked for a URL outside the allowlist (or not http/https): 403. */
export class ForbiddenUrlError extends HttpError {
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(403, 'ERR_X_URL_NOT_ALLOWED', message, options);
    this.name = 'ForbiddenUrlError';
  }
}

/** Input that passed the schema but is still wrong (e.g. a URL that does not parse): 422. */
export class InvalidInputError extends HttpError {
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(422, 'ERR_X_VALIDATION', message, options);
    this.name = 'InvalidInputError';
  }
}
