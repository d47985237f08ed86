import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  details?: unknown;
}

/** Builds the JSON body of an error answer; `error` is the status's standard reason phrase. */
export function errorBody(statusCode: number, code: string, message: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
  if (details !== undefined) body.details = details;
  return body;
}

/**
 * Installs the error and not-found handlers: our `HttpError`s and Fastify's own client errors (bad JSON,
 * body too large, schema violations) become 4xx/5xx JSON with a message; anything unexpected becomes a
 * bare 500 and is logged, so no stack trace or internal detail reaches a client.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError | Error, request, reply) => {
    if (error instanceof HttpError) {
      if (error.statusCode >= 500) request.log.warn({ err: error }, error.message);
      return reply
        .code(error.statusCode)
        .send(errorBody(error.statusCode, error.code, error.message, error.details));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      // FastAPI answers schema violations with 422; so do we, naming the field and the rule it broke.
      const details = fastifyError.validation.map((issue) => ({
        in: fastifyError.validationContext,
        field:
          issue.instancePath.replace(/^\//, '') ||
          (issue.params as { missingProperty?: string }).missingProperty,
        message: issue.message,
      }));
      return reply.code(422).send(errorBody(422, 'ERR_X_VALIDATION', fastifyError.message, details));
    }
    const status = fastifyError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send(errorBody(status, fastifyError.code ?? 'ERR_X_BAD_REQUEST', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(500, 'ERR_X_INTERNAL', 'Internal server error.'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!.slice(0, 200);
    reply.code(404).send(errorBody(404, 'ERR_X_ROUTE_NOT_FOUND', `No route for ${request.method} ${path}.`));
  });
}
