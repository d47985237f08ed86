export {
  describeReceived,
  ownOptions,
  validateDuration,
  validateInteger,
  validateObject,
  validateSignal,
} from '@x/internal';
export { assertCloneable, cloneError } from './clone.js';
export {
  AbortError,
  CapturedVariableError,
  DataCloneError,
  InitializerError,
  OutsideTaskError,
  PoolClosedError,
  QueueFullError,
  RuntimeSupportError,
  TimeoutError,
  WorkerCrashedError,
  type XErrorOptions,
} from './errors.js';
export { inheritedExecArgv } from './exec-argv.js';
export {
  asyncDispose,
  type Executor,
  type MapOptions,
  type PoolShutdownOptions,
  type PoolSubmitOptions,
  type ShutdownOptions,
  type SubmitOptions,
} from './executor.js';
export { invokeRemote, resolveRemote } from './invoke-remote.js';
export { LoopSpin, type SpinClock } from './loop-spin.js';
export { mapOnExecutor } from './map.js';
export { Pool, type PoolOptions } from './pool.js';
export type {
  PoolEventMap,
  WorkerCreateEvent,
  WorkerExitEvent,
  WorkerExitReason,
} from './pool-events.js';
export { DEFAULT_SPIN_MICROS } from './pool-options.js';
export type { PoolStats, TimingSummary } from './pool-stats.js';
export type { TaskTraceContext } from './pool-tracing.js';
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
export {
  assertRuntimeSupport,
  type PermissionNeed,
  type RuntimeNeeds,
  runtimeName,
} from './runtime-support.js';
export { deserializeError, type SerializedError, serializeError } from './serialize-error.js';
export { serveWorker, type WorkerChannel } from './serve-worker.js';
export { StartGuard, type StartGuardOptions } from './start-guard.js';
export type {
  StreamFunction,
  StreamItem,
  StreamOptions,
  StreamReturn,
  TaskStream,
} from './stream.js';
export { taskSignal } from './task-signal.js';
export { isTransfer, type Transfer, transfer, transferablesOf } from './transfer.js';
export {
  type ExitInfo,
  IDLE_WAIT_MS,
  type MainMessage,
  MSG_CANCEL,
  MSG_PULL,
  MSG_READY,
  MSG_RESULTS,
  MSG_RUN,
  MSG_YIELD,
  SLOW_TASK_MICROS,
  STATE_CANCEL_PENDING,
  STATE_LENGTH,
  STATE_MAIL,
  STATE_RESULTS,
  STATE_RUNNING,
  STATE_SLEEPING,
  STATE_STARTED,
  TASK_STREAM,
  TASK_TRANSFER_RESULT,
  TEARDOWN_TIMEOUT_MS,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type WorkerMessage,
} from './transport.js';
