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

/** Request bodies larger than this are refused with 413. */
export const BODY_LIMIT = 16 * 1024;

/**
 * Fastify's own client errors, renamed to our stable codes with messages that say what to do. Fastify's
 * JSON parser message can quote the body back, so none of its messages is passed on.
 */
const FASTIFY_CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'ERR_X_BODY_TOO_LARGE',
    message: `The request body is larger than ${BODY_LIMIT} bytes.`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'ERR_X_UNSUPPORTED_MEDIA_TYPE',
    message: 'The request body must be JSON, sent with "Content-Type: application/json".',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'ERR_X_BAD_JSON', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'ERR_X_BAD_JSON',
    message: 'The request body is empty, but its Content-Type says JSON.',
  },
};

/** One schema violation as the client sees it: where, which field, and the rule it broke. */
interface ValidationDetail {
  in: string | undefined;
  field?: string;
  message: string | undefined;
}

/**
 * Installs the error, not-found and wrong-method handlers: our `HttpError`s and Fastify's own client
 * errors (bad JSON, body too large, schema violations) become 4xx/5xx JSON with a message; a known path
 * asked with a method it does not serve becomes 405 with `Allow`; anything unexpected becomes a bare 500
 * and is logged, so no stack trace or internal detail reaches a client. Call it before adding routes: it
 * records each route's method.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(method);
  });

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
      const context = fastifyError.validationContext;
      const details = fastifyError.validation.map((issue) => validationDetail(context, issue));
      const [first] = details;
      const message =
        fastifyError.validation[0]?.keyword === 'additionalProperties' && first?.field
          ? `${context} must NOT have additional property '${first.field}'`
          : fastifyError.message;
      return reply.code(422).send(errorBody(422, 'ERR_X_VALIDATION', message, details));
    }
    const status = fastifyError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const known = FASTIFY_CLIENT_ERRORS[fastifyError.code];
      return reply
        .code(status)
        .send(
          errorBody(
            status,
            known?.code ?? 'ERR_X_BAD_REQUEST',
            known?.message ?? 'The request could not be read.',
          ),
        );
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(500, 'ERR_X_INTERNAL', 'Internal server error.'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!.slice(0, 200);
    // The router only says "no route"; whether the path exists under other methods decides 404 or 405.
    const allowed = [...methods].filter((method) => app.findRoute({ method, url: request.url }) !== null);
    if (allowed.length > 0) {
      const allow = allowed.sort().join(', ');
      reply
        .code(405)
        .header('allow', allow)
        .send(
          errorBody(
            405,
            'ERR_X_METHOD_NOT_ALLOWED',
            `${request.method} is not allowed on ${path}; allowed: ${allow}.`,
          ),
        );
      return;
    }
    reply.code(404).send(errorBody(404, 'ERR_X_ROUTE_NOT_FOUND', `No route for ${request.method} ${path}.`));
  });
}

function validationDetail(
  context: string | undefined,
  issue: NonNullable<FastifyError['validation']>[number],
): ValidationDetail {
  const params = issue.params as { missingProperty?: string; additionalProperty?: string };
  const field =
    issue.instancePath.replace(/^\//, '') ||
    params.missingProperty ||
    // A client's own key: bounded, as it is repeated back.
    params.additionalProperty?.slice(0, 100);
  return field ? { in: context, field, message: issue.message } : { in: context, message: issue.message };
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
