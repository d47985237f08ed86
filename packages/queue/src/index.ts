export {
  InvalidStateError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TimeoutError,
  type XErrorOptions,
} from './errors.js';
export { LifoQueue } from './lifo-queue.js';
export { type Compare, PriorityQueue, type PriorityQueueOptions } from './priority-queue.js';
export {
  Queue,
  type QueueOptions,
  type ShutdownOptions,
  type ValuesOptions,
  type WaitOptions,
} from './queue.js';
