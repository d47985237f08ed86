// The worker-side half of @x/executor, small enough to load fast in every new thread or process.
export { assertCloneable, cloneError } from './clone.js';
export { CapturedVariableError, DataCloneError, OutsideTaskError } from './errors.js';
export { invokeRemote, resolveRemote } from './invoke-remote.js';
export { LoopSpin } from './loop-spin.js';
export { deserializeError, type SerializedError, serializeError } from './serialize-error.js';
export { serveWorker, type WorkerChannel } from './serve-worker.js';
export { taskSignal } from './task-signal.js';
export { isTransfer, type Transfer, transfer } from './transfer.js';
export * from './transport.js';
