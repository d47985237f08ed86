export { AbortError, InvalidStateError, TimeoutError, type XErrorOptions } from './errors.js';
export type { Operation } from './operation.js';
export { deadlineScope, type ScopeOptions, type TimeoutScope, timeoutScope } from './scope.js';
export { type SleepOptions, sleep } from './sleep.js';
export { type WithTimeoutOptions, withTimeout } from './with-timeout.js';
