import { setMaxListeners } from 'node:events';

/**
 * One controller for all the operations of a call. Its signal legitimately has one listener per running operation
 * (e.g. 100 fetches), so Node's "possible EventTarget memory leak" warning at 11 listeners would be a false alarm.
 */
export function sharedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
