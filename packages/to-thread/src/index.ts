export {
  AbortError,
  type AnyFunction,
  CapturedVariableError,
  DataCloneError,
  type Executor,
  fromModule,
  type MapOptions,
  type ModuleFunction,
  OutsideTaskError,
  PoolClosedError,
  QueueFullError,
  type RemoteFunction,
  type ShutdownOptions,
  type StreamOptions,
  type SubmitOptions,
  type TaskStream,
  TimeoutError,
  taskSignal,
  transfer,
  WorkerCrashedError,
} from '@x/executor';
export { ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
export { defaultThreadPool, toThread } from './to-thread.js';
