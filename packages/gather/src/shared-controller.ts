import { allowManyListeners } from '@x/internal';

/**
 * One controller for all the operations of a call. Its signal legitimately has one listener per running operation
 * (e.g. 100 fetches), so Node's "possible EventTarget memory leak" warning at 11 listeners would be a false alarm.
 * Feature-detected (no `node:events` import), so the package also loads in browsers and edge workers.
 */
export function sharedController(): AbortController {
  const controller = new AbortController();
  allowManyListeners(controller.signal);
  return controller;
}
