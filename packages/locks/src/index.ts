export { Barrier } from './barrier.js';
export { Condition } from './condition.js';
export {
  AbortError,
  BrokenBarrierError,
  InvalidStateError,
  TimeoutError,
  type XErrorOptions,
} from './errors.js';
export { Event } from './event.js';
export { type LimitFunction, type LimitOptions, limit } from './limit.js';
export { Lock } from './lock.js';
export { BoundedSemaphore, type Permit, Semaphore, type WaitOptions } from './semaphore.js';
