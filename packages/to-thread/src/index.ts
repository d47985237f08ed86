export {
  AbortError,
  DataCloneError,
  fromModule,
  type ModuleFunction,
  PoolClosedError,
  QueueFullError,
  type RemoteFunction,
  TimeoutError,
  WorkerCrashedError,
} from '@x/executor';
export { ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
export { defaultThreadPool, toThread } from './to-thread.js';
