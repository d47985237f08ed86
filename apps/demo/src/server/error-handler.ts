import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any route or hook runs. Fastify's own
 * answers to these quote the raw path back to the client; ours say what is wrong in our error format and
 * never repeat the input.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply
      .code(414)
      .send(
        errorBody(
          414,
          'ERR_X_PARAM_TOO_LONG',
          `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`,
        ),
      );
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    reply.code(400).send(errorBody(400, 'ERR_X_BAD_URL', 'The request path is not a valid URL component.'));
    return;
  }
  reply.log.error({ err: error }, 'framework error');
  reply.code(500).send(errorBody(500, 'ERR_X_INTERNAL', 'Internal server error.'));
}

/** The longest path parameter the router accepts (Fastify's `maxParamLength`); longer ones get a 414. */
export const MAX_PARAM_LENGTH = 100;

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refused before Fastify saw it. The
 * main case is a request line plus headers over Node's limit (`http.maxHeaderSize`, 16 KiB by default),
 * e.g. a very long URL: Node answers that with 431 on the raw socket. We answer in our JSON error format
 * too, and close the connection, as Node does.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let body: ErrorBody;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    body = errorBody(
      431,
      'ERR_X_HEADERS_TOO_LARGE',
      `The request line and headers are larger than ${maxHeaderSize} bytes.`,
    );
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    body = errorBody(408, 'ERR_X_REQUEST_TIMEOUT', 'The request was not received in time.');
  } else {
    body = errorBody(400, 'ERR_X_BAD_REQUEST', 'The request is not valid HTTP.');
  }
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        'Connection: close\r\n\r\n' +
        text,
    );
  }
  socket.destroy();
}
