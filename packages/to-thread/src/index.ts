export {
  AbortError,
  type AnyFunction,
  CapturedVariableError,
  DataCloneError,
  type Executor,
  fromModule,
  type MapOptions,
  type ModuleFunction,
  PoolClosedError,
  QueueFullError,
  type RemoteFunction,
  RuntimeSupportError,
  type ShutdownOptions,
  type SubmitOptions,
  TimeoutError,
  WorkerCrashedError,
} from '@x/executor';
export { ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
export { defaultThreadPool, toThread } from './to-thread.js';
