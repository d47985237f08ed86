import type { Order, User } from '../upstream/data.js';
import { NotFoundError, UpstreamError } from './errors.js';
import { getJson } from './upstream-client.js';

/** GETs one user from the user/order API: `NotFoundError` (404) for an unknown id, `UpstreamError` (502) otherwise. */
export async function fetchUser(baseUrl: string, userId: number, signal: AbortSignal): Promise<User> {
  const { status, body } = await getJson(`${baseUrl}/users/${userId}`, signal);
  if (status === 404) throw new NotFoundError(`User ${userId} does not exist.`);
  if (status !== 200) throw failed('user', status);
  const user = body as Partial<User> | null;
  if (typeof user?.id !== 'number' || typeof user.name !== 'string') throw malformed('user');
  return user as User;
}

/** GETs the orders of one user: `UpstreamError` (502) for anything but a 200 with a JSON array. */
export async function fetchOrders(baseUrl: string, userId: number, signal: AbortSignal): Promise<Order[]> {
  const { status, body } = await getJson(`${baseUrl}/orders?user_id=${userId}`, signal);
  if (status !== 200) throw failed('orders', status);
  if (!Array.isArray(body)) throw malformed('orders');
  return body as Order[];
}

function failed(what: string, status: number): UpstreamError {
  return new UpstreamError(`The upstream ${what} API answered with HTTP ${status}.`, {
    details: { upstreamStatus: status },
  });
}

function malformed(what: string): UpstreamError {
  return new UpstreamError(`The upstream ${what} API answered with JSON of an unexpected shape.`);
}
