export { defaultRetryIf } from './default-retry-if.js';
export { TimeoutError, type XErrorOptions } from './errors.js';
export type { RetryOptions } from './options.js';
export { type RetryOperation, retry } from './retry.js';
