export {
  AbortError,
  CapturedVariableError,
  DataCloneError,
  type Executor,
  fromModule,
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
export { InitializerError } from './errors.js';
export { type ProcessMapOptions, ProcessPool, type ProcessPoolOptions } from './process-pool.js';
