import { allowManyListeners } from '@x/internal';

/**
 * The signal handed to work started without a caller signal: it never aborts. One shared instance, because
 * an `AbortController` costs microseconds (more than the rest of a limiter call together) and nothing here
 * ever aborts running work on its own.
 */
const controller = new AbortController();
export const neverAborted: AbortSignal = controller.signal;

// Many concurrent fetches subscribe to it at once; Node would warn past 10 listeners.
allowManyListeners(neverAborted);
