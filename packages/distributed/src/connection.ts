import { invalidArgType } from '@x/internal';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Where Redis is: a `redis://` (or `rediss://`) URL, or BullMQ's `{ host, port }` object (any ioredis option,
 * such as `password`, `db` or `tls`, is passed through).
 */
export type Connection = string | (RedisOptions & { host?: string; port?: number });

/** Checks `connection` at the door, naming `name`. */
export function validateConnection(connection: unknown, name: string): asserts connection is Connection {
  if (typeof connection === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(connection);
    } catch {}
    if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      throw Object.assign(
        new TypeError(
          `The "${name}" ${name.includes('.') ? 'property' : 'argument'} must be a redis:// or rediss:// URL or a { host, port } object. Received '${connection}'`,
        ),
        { code: 'ERR_INVALID_ARG_VALUE' },
      );
    }
    return;
  }
  if (connection === null || typeof connection !== 'object') {
    throw invalidArgType(name, 'a redis:// URL or a { host, port } object', connection);
  }
}

/** `redis://host:port/db`, never with a password: what error messages name. */
export function describeConnection(connection: Connection): string {
  if (typeof connection === 'string') {
    const url = new URL(connection);
    url.password = '';
    url.username = '';
    return url.href.replace(/\/$/, '');
  }
  const host = connection.host ?? '127.0.0.1';
  const port = connection.port ?? 6379;
  return `redis://${host}:${port}${connection.db ? `/${connection.db}` : ''}`;
}

/**
 * A new ioredis client. We create BullMQ's clients ourselves (BullMQ's ESM build cannot load ioredis by itself)
 * and so choose how each behaves while Redis is away: `'command'` clients fail a command at once instead of
 * queueing it (so `submit` can report the outage in bounded time and no stale command runs later);
 * `'blocking'` ones (BullMQ's workers and event readers) retry for ever, as BullMQ requires.
 */
export function createClient(connection: Connection, role: 'command' | 'blocking'): Redis {
  const common: RedisOptions = {
    lazyConnect: false,
    // Reconnect for ever, quickly at first: the executor must recover as soon as Redis returns.
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
    maxRetriesPerRequest: role === 'blocking' ? null : 0,
    enableOfflineQueue: role === 'blocking',
  };
  const client =
    typeof connection === 'string' ? new Redis(connection, common) : new Redis({ ...connection, ...common });
  // ioredis emits 'error' for every failed reconnection; BullMQ and our own callers see failures through their
  // commands, so an outage must not crash the process as an unhandled 'error' event.
  client.on('error', () => {});
  return client;
}

/** Closes a client at once, never throwing (it may already be closed or never have connected). */
export function closeClient(client: Redis): void {
  try {
    client.disconnect(false);
  } catch {}
}
