export type { JobData, OnWorkerLost, WireFunction } from './codec.js';
export type { Connection } from './connection.js';
export { DistributedExecutor } from './distributed-executor.js';
export {
  CodeVersionMismatchError,
  type DistributedErrorOptions,
  JobLostError,
  RedisUnavailableError,
  SourceFunctionRefusedError,
} from './errors.js';
export { type DistributedExecutorOptions, EXECUTOR_DEFAULTS } from './options.js';
export { type ServedWorker, type ServeWorkerOptions, serveWorker } from './serve-worker.js';
