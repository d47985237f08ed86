import { setTimeout as delay } from 'node:timers/promises';

/**
 * Stand-ins for the documents' remote API: each call waits like a network round trip, then answers.
 * They take an `AbortSignal`, as every cancellable operation in this toolkit does, so cancelling really
 * stops the wait.
 */
export interface CallOptions {
  delayMs: number;
  signal?: AbortSignal;
}

export interface User {
  id: number;
  name: string;
}

export interface Order {
  id: number;
  amount: number;
}

/** Like the article's `fetch_user`: one user after `delayMs`. */
export async function fetchUser(userId: number, { delayMs, signal }: CallOptions): Promise<User> {
  await delay(delayMs, undefined, { signal });
  return { id: userId, name: `user-${userId}` };
}

/** Like the article's `fetch_order`: one order after `delayMs`. */
export async function fetchOrder(orderId: number, { delayMs, signal }: CallOptions): Promise<Order> {
  await delay(delayMs, undefined, { signal });
  return { id: orderId, amount: 2500 };
}
