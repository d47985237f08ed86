export type { AnyFunction, ModuleFunction, RemoteFunction } from '@x/executor';
export { fromModule } from '@x/executor';
export {
  BridgeClosedError,
  DataCloneError,
  ReentrantCallError,
  RuntimeSupportError,
  TimeoutError,
  UnsettledCallError,
  WorkerCrashedError,
} from './errors.js';
export { type CreateSyncFunctionOptions, createSyncFunction, runSync, runSyncStream } from './run-sync.js';
export { type StreamChunk, SyncBridge, type SyncBridgeOptions } from './sync-bridge.js';
export { SyncStream } from './sync-stream.js';
