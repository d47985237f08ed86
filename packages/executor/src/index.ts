export { assertCloneable, cloneError } from './clone.js';
export {
  AbortError,
  CapturedVariableError,
  DataCloneError,
  PoolClosedError,
  QueueFullError,
  TimeoutError,
  WorkerCrashedError,
  type XErrorOptions,
} from './errors.js';
export { invokeRemote, resolveRemote } from './invoke-remote.js';
export {
  type AnyFunction,
  type FunctionOf,
  fromModule,
  isModuleFunction,
  type ModuleFunction,
  type RemoteFunction,
  type RemoteRef,
  toRemoteRef,
} from './remote-function.js';
export { deserializeError, type SerializedError, serializeError } from './serialize-error.js';
export {
  type ExitInfo,
  type MainMessage,
  MSG_CANCEL,
  MSG_RESULTS,
  MSG_RUN,
  STATE_LENGTH,
  STATE_MAIL,
  STATE_RESULTS,
  STATE_RUNNING,
  IDLE_WAIT_MS,
  STATE_SLEEPING,
  STATE_STARTED,
  SLOW_TASK_MICROS,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type WorkerMessage,
} from './transport.js';
export { asyncDispose, type Executor, type MapOptions, type ShutdownOptions, type SubmitOptions } from './executor.js';
export { mapOnExecutor } from './map.js';
export { Pool, type PoolOptions } from './pool.js';
export { serveWorker, type WorkerChannel } from './serve-worker.js';
