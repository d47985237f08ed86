export { type AsCompletedOptions, asCompleted, type CompletionIterator } from './as-completed.js';
export { AbortError, TimeoutError } from './errors.js';
export { type GatherOptions, gather } from './gather.js';
export { type MapContext, type MapOptions, type Mapper, map } from './map.js';
export { type MapStreamOptions, mapStream } from './map-stream.js';
export { any, type FirstResult, type RaceOptions, race } from './race.js';
export type {
  Fulfilled,
  FulfilledOf,
  KeyedOperations,
  KeyedResults,
  KeyedResultsOrErrors,
  Operation,
  OperationFunction,
  OperationResult,
  Rejected,
  Results,
  ResultsOrErrors,
  Settled,
  SettledOf,
} from './types.js';
export {
  type PendingOf,
  type PendingOperation,
  type ReturnWhen,
  type WaitOptions,
  type WaitResult,
  wait,
} from './wait.js';
