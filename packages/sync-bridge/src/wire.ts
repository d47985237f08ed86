import { assertCloneable, DataCloneError, deserializeError, type SerializedError } from '@x/executor';
import type { Connection } from './connection.js';
import type { ToWorker } from './protocol.js';
import { UnsettledCallError } from './unsettled-error.js';

/**
 * Sends a call or stream request. postMessage refuses a value it cannot clone before anything is sent;
 * only then are the arguments checked one by one, so the common case pays nothing for the error message.
 */
export function sendCall(connection: Connection, message: ToWorker, args: readonly unknown[]): void {
  try {
    connection.send(message);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'DataCloneError' || error instanceof DataCloneError)
      throw error;
    args.forEach((arg, i) => {
      assertCloneable(arg, `argument ${i + 1}`);
    });
    throw new DataCloneError('the arguments', error.message, { cause: error });
  }
}

/**
 * The error the worker sent, as the caller should see it. `deserializeError` revives the executor's own
 * classes (a result or chunk that could not be cloned is a `DataCloneError`); this package's
 * `UnsettledCallError` is revived here.
 */
export function receiveError(serialized: SerializedError): unknown {
  const error = deserializeError(serialized);
  if (
    serialized.kind === 'error' &&
    serialized.constructorName === 'UnsettledCallError' &&
    (error as { code?: unknown }).code === 'ERR_X_UNSETTLED_CALL'
  ) {
    Object.setPrototypeOf(error, UnsettledCallError.prototype);
  }
  return error;
}
