import type { Scenario } from '../tour/scenario.js';
import awaitOutsideAsync from './basics/await-outside-async.js';
import eagerAsyncFunctions from './basics/eager-async-functions.js';
import forAwait from './basics/for-await.js';
import whichTool from './basics/which-tool.js';
import clusterDistributedExecutor from './cluster/distributed-executor.js';
import dynamicList from './gather/dynamic-list.js';
import lazyVsEager from './gather/lazy-vs-eager.js';
import returnExceptions from './gather/return-exceptions.js';
import sequentialVsGathered from './gather/sequential-vs-gathered.js';
import startAndFinishOrder from './gather/start-and-finish-order.js';
import blockingCall from './pitfall/blocking-call.js';
import missingAwait from './pitfall/missing-await.js';
import nestedBridge from './pitfall/nested-bridge.js';
import processCpuBound from './process/cpu-bound.js';
import processPoolParallel from './process/pool-parallel.js';
import processPoolSubmit from './process/pool-submit.js';
import boundedQueue from './share/bounded-queue.js';
import lockLostUpdate from './share/lock-lost-update.js';
import sharedLimit from './share/shared-limit.js';
import blockingVsStreaming from './stream/blocking-vs-streaming.js';
import chatCli from './stream/chat-cli.js';
import liveWords from './stream/live-words.js';
import syncGeneratorInAsync from './stream/sync-generator-in-async.js';
import cliCommand from './sync/cli-command.js';
import runSyncBasic from './sync/run-sync-basic.js';
import runSyncErrors from './sync/run-sync-errors.js';
import createTask from './task/create-task.js';
import taskGroup from './task/task-group.js';
import threadCpuBound from './thread/cpu-bound.js';
import threadPoolParallel from './thread/pool-parallel.js';
import threadPoolSubmit from './thread/pool-submit.js';
import threadStreamProgress from './thread/stream-progress.js';
import waitFor from './timeout/wait-for.js';

/** Every scenario of the tour, in the order the tour runs them (grouped by topic). */
export const scenarios: readonly Scenario<object>[] = [
  // basics: what async functions are in JavaScript, and how that differs from Python
  eagerAsyncFunctions,
  awaitOutsideAsync,
  forAwait,
  whichTool,
  // gather: running operations at once
  sequentialVsGathered,
  startAndFinishOrder,
  lazyVsEager,
  returnExceptions,
  dynamicList,
  // task: createTask and TaskGroup
  createTask,
  taskGroup,
  // timeout
  waitFor,
  // share: a limit shared by requests, a bounded queue between producers and consumers, a lock
  sharedLimit,
  boundedQueue,
  lockLostUpdate,
  // thread: toThread and ThreadPool
  threadCpuBound,
  threadPoolSubmit,
  threadPoolParallel,
  threadStreamProgress,
  // process: ProcessPool
  processCpuBound,
  processPoolSubmit,
  processPoolParallel,
  // cluster: the same Executor across processes (and machines), on BullMQ and Redis
  clusterDistributedExecutor,
  // sync: async code from sync code
  runSyncErrors,
  runSyncBasic,
  cliCommand,
  // stream: async streams consumed synchronously
  liveWords,
  blockingVsStreaming,
  syncGeneratorInAsync,
  chatCli,
  // pitfall
  missingAwait,
  blockingCall,
  nestedBridge,
];
