import type { Case } from './server-contract-support.js';

// The error answers SERVER.md promises, one case per documented status, header and body. Each group
// quotes the lines of SERVER.md it checks. server-contract.test.ts sends them to the real server;
// server-contract-doc.test.ts checks that SERVER.md names no status or code without a case here.

const rule = (where: string, field: string, message: string) => [{ in: where, field, message }];

/** The path of `/fetch` for `path` on the upstream. */
export const viaFetch = (upstreamUrl: () => string, path: string) => () =>
  `/fetch?url=${encodeURIComponent(`${upstreamUrl()}${path}`)}`;

/** Every case; `upstreamUrl` gives the upstream's URL once it runs. */
export function errorCases(upstreamUrl: () => string): Case[] {
  const upstream = (path: string) => viaFetch(upstreamUrl, path);
  return [
    // "Schema violations return **422** (`ERR_X_VALIDATION`), as FastAPI does, and `details` names the field
    // and the rule ... This covers a missing `user_id`, `user_id=0`, `n=-1`, `n` over 100,000,000, an unknown
    // `mode`, a prompt of 2,001 characters (in the query or the body), a `/fetch` URL that is not absolute,
    // and unknown body fields, whose name the message also gives"
    ...(
      [
        ['/dashboard', 'querystring', 'user_id', "must have required property 'user_id'"],
        ['/dashboard?user_id=0', 'querystring', 'user_id', 'must be >= 1'],
        ['/compute?n=-1', 'querystring', 'n', 'must be >= 0'],
        ['/compute?n=100000001', 'querystring', 'n', 'must be <= 100000000'],
        [
          `/chat?prompt=${'a'.repeat(2001)}`,
          'querystring',
          'prompt',
          'must NOT have more than 2000 characters',
        ],
        ['/compute?n=10&mode=gpu', 'querystring', 'mode', 'must be equal to one of the allowed values'],
        ['/users/0', 'params', 'userId', 'must be >= 1'],
      ] as const
    ).map(([path, where, field, message]) => ({
      doc: 'schema violation',
      path,
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule(where, field, message),
    })),
    {
      doc: 'a prompt of 2,001 characters (body)',
      method: 'POST',
      path: '/chat',
      body: JSON.stringify({ prompt: 'a'.repeat(2001) }),
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule('body', 'prompt', 'must NOT have more than 2000 characters'),
    },
    {
      doc: 'unknown body fields: `details` names the field, and so does the message',
      method: 'POST',
      path: '/chat',
      body: JSON.stringify({ prompt: 'hi', admin: true }),
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule('body', 'admin', 'must NOT have additional properties'),
      message: "body must NOT have additional property 'admin'",
    },
    {
      doc: 'The JSON body is not coerced: a number is not a string',
      method: 'POST',
      path: '/chat',
      body: JSON.stringify({ prompt: 5 }),
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule('body', 'prompt', 'must be string'),
    },
    {
      doc: 'A `POST /chat` without a body is a 422 too',
      method: 'POST',
      path: '/chat',
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: [{ in: 'body', message: 'must be object' }],
    },
    {
      doc: 'a URL that does not parse is a 422',
      path: '/fetch?url=%2Fusers%2F1',
      status: 422,
      code: 'ERR_X_VALIDATION',
    },
    // "An integer in a path or a query string (`/users/:userId`, `user_id`, `n`, `interval_ms`) must be
    // written in digits, with an optional minus ... A blank value (`?n=%20`), `1e3`, `0x10`, ` 5` (`%205`),
    // `+5` or `1.5` is a 422 `must be integer`, on every route alike"
    ...['%20', '1e3', '0x10', '%205', '%2B5', '5%20', '1.5'].flatMap((text) =>
      (
        [
          [`/users/${text}`, 'params', 'userId'],
          [`/dashboard?user_id=${text}`, 'querystring', 'user_id'],
          [`/compute?n=${text}`, 'querystring', 'n'],
          [`/heartbeat?interval_ms=${text}`, 'querystring', 'interval_ms'],
        ] as const
      ).map(([path, where, field]) => ({
        doc: 'one strict integer rule',
        path,
        status: 422,
        code: 'ERR_X_VALIDATION',
        details: rule(where, field, 'must be integer'),
      })),
    ),
    // "`GET /heartbeat?interval_ms=` ... `interval_ms` is an integer from 20 to 5,000 (default 100)"
    {
      doc: 'interval_ms below 20',
      path: '/heartbeat?interval_ms=19',
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule('querystring', 'interval_ms', 'must be >= 20'),
    },
    {
      doc: 'interval_ms above 5,000',
      path: '/heartbeat?interval_ms=5001',
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule('querystring', 'interval_ms', 'must be <= 5000'),
    },
    // "An unknown user returns **404** (`ERR_X_NOT_FOUND`); a path no route serves returns **404**
    // (`ERR_X_ROUTE_NOT_FOUND`)."
    { doc: 'unknown user', path: '/users/123456', status: 404, code: 'ERR_X_NOT_FOUND' },
    {
      doc: 'unknown route',
      path: '/no/such/route?x=1',
      status: 404,
      code: 'ERR_X_ROUTE_NOT_FOUND',
      message: 'No route for GET /no/such/route.',
    },
    // "A path that exists, asked with a method it does not serve, returns **405** (`ERR_X_METHOD_NOT_ALLOWED`)
    // with an `Allow` header listing the methods it does serve ... `/chat` and `/heartbeat` offer no `HEAD`"
    ...(
      [
        ['DELETE', '/health', 'GET, HEAD'],
        ['POST', '/users/1', 'GET, HEAD'],
        ['PUT', '/chat', 'GET, POST'],
        ['POST', '/dashboard?user_id=1', 'GET, HEAD'],
        // The event streams offer no HEAD, which would stream for nobody.
        ['HEAD', '/chat?prompt=hi', 'GET, POST'],
        ['HEAD', '/heartbeat', 'GET'],
      ] as const
    ).map(([method, path, allow]) => ({
      doc: 'wrong method',
      method,
      path,
      status: 405,
      code: 'ERR_X_METHOD_NOT_ALLOWED',
      allow,
      message: `${method} is not allowed on ${path.split('?')[0]}; allowed: ${allow}.`,
    })),
    // "A URL outside the allowlist, a `file:` URL or a URL with credentials returns **403**"
    {
      doc: 'outside the allowlist',
      path: `/fetch?url=${encodeURIComponent('http://10.0.0.1/admin')}`,
      status: 403,
      code: 'ERR_X_URL_NOT_ALLOWED',
    },
    {
      doc: 'a file: URL',
      path: `/fetch?url=${encodeURIComponent('file:///etc/passwd')}`,
      status: 403,
      code: 'ERR_X_URL_NOT_ALLOWED',
    },
    {
      doc: 'a URL with credentials',
      path: () => `/fetch?url=${encodeURIComponent(upstreamUrl().replace('//', '//user:pw@'))}`,
      status: 403,
      code: 'ERR_X_URL_NOT_ALLOWED',
    },
    // "A request URL longer than 4,096 characters returns **414** (`ERR_X_URL_TOO_LONG`), and so does a path
    // parameter longer than 100 characters ... (`ERR_X_PARAM_TOO_LONG`)."
    {
      doc: 'URL over 4,096 characters',
      path: `/users/1?pad=${'x'.repeat(4096)}`,
      status: 414,
      code: 'ERR_X_URL_TOO_LONG',
      notEchoed: 'xxxx',
    },
    {
      doc: 'path parameter over 100 characters',
      path: `/users/${'9'.repeat(101)}`,
      status: 414,
      code: 'ERR_X_PARAM_TOO_LONG',
      notEchoed: '9'.repeat(101),
    },
    // "A path that is not valid percent-encoding returns **400** (`ERR_X_BAD_URL`). Neither answer repeats the path."
    {
      doc: 'bad percent-encoding',
      path: '/users/%E0%A4%A',
      status: 400,
      code: 'ERR_X_BAD_URL',
      notEchoed: '%E0',
    },
    // "A body over 16 KiB returns **413** (`ERR_X_BODY_TOO_LARGE`). Malformed JSON, or an empty body that
    // says it is JSON, returns **400** (`ERR_X_BAD_JSON`), without quoting the body."
    {
      doc: 'body over 16 KiB',
      method: 'POST',
      path: '/chat',
      body: JSON.stringify({ prompt: 'x'.repeat(16 * 1024) }),
      status: 413,
      code: 'ERR_X_BODY_TOO_LARGE',
      message: 'The request body is larger than 16384 bytes.',
    },
    {
      doc: 'malformed JSON',
      method: 'POST',
      path: '/chat',
      body: '{"prompt": secret-text',
      status: 400,
      code: 'ERR_X_BAD_JSON',
      message: 'The request body is not valid JSON.',
      notEchoed: 'secret',
    },
    { doc: 'empty JSON body', method: 'POST', path: '/chat', body: '', status: 400, code: 'ERR_X_BAD_JSON' },
    // "A body of another content type (`text/plain` included), or with no content type, returns **415**
    // (`ERR_X_UNSUPPORTED_MEDIA_TYPE`), whose message says to send `Content-Type: application/json`."
    ...[
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      null,
    ].map((type) => ({
      doc: `body of type ${type}`,
      method: 'POST',
      path: '/chat',
      body: type === 'application/x-www-form-urlencoded' ? 'prompt=hi' : '{"prompt":"hi"}',
      type,
      status: 415,
      code: 'ERR_X_UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be JSON, sent with "Content-Type: application/json".',
    })),
    // "An upstream that fails, redirects, or answers with something other than JSON returns **502**"
    {
      doc: 'upstream redirects',
      path: upstream('/moved?to=http://10.0.0.1/'),
      status: 502,
      code: 'ERR_X_UPSTREAM',
    },
    { doc: 'upstream answers text', path: upstream('/text'), status: 502, code: 'ERR_X_UPSTREAM' },
    // "`GET /fetch?url=` ... The body must be JSON and is bounded in size."
    {
      doc: 'fetched body over 1 MiB',
      path: upstream('/large'),
      status: 502,
      code: 'ERR_X_UPSTREAM',
      message: 'The upstream answer is larger than 1048576 bytes.',
    },
    // "A stack trace never reaches the client": an unexpected error is a bare **500**.
    {
      doc: 'unexpected error',
      path: '/test/boom',
      status: 500,
      code: 'ERR_X_INTERNAL',
      message: 'Internal server error.',
      notEchoed: 'secret',
    },
  ];
}

/** Statuses and codes server-contract.test.ts checks outside the cases (over a raw socket, or timed). */
export const CHECKED_ELSEWHERE = {
  statuses: [431, 400, 408, 502, 504],
  codes: ['ERR_X_HEADERS_TOO_LARGE', 'ERR_X_BAD_REQUEST', 'ERR_X_REQUEST_TIMEOUT', 'ERR_X_UPSTREAM_TIMEOUT'],
};
