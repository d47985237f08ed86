export {
  AbortError,
  CapturedVariableError,
  DataCloneError,
  type Executor,
  fromModule,
  type ModuleFunction,
  OutsideTaskError,
  PoolClosedError,
  QueueFullError,
  type RemoteFunction,
  RuntimeSupportError,
  type ShutdownOptions,
  type StreamOptions,
  type SubmitOptions,
  type TaskStream,
  TimeoutError,
  taskSignal,
  transfer,
  WorkerCrashedError,
} from '@x/executor';
export { InitializerError } from './errors.js';
export { type ProcessMapOptions, ProcessPool, type ProcessPoolOptions } from './process-pool.js';
