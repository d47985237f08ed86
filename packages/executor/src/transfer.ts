import type { TransferListItem } from 'node:worker_threads';
import * as workerThreads from 'node:worker_threads';
import { describeReceived, subject } from '@x/internal';

// A registered symbol: a marker made by one copy of @x/executor (the task's `import('@x/executor')`) is
// recognised by another (the worker loop's bundled copy).
const TRANSFER = Symbol.for('@x/executor.transfer');

/** A value to send with a transfer list, made by {@link transfer}. */
export interface Transfer<T = unknown> {
  /** What the caller receives. */
  readonly value: T;
  /** What of `value` moves instead of being copied. */
  readonly transferList: readonly TransferListItem[];
  readonly [TRANSFER]: true;
}

/**
 * Marks a task's result (or a value a stream yields) to be sent to the caller by moving `transferList`
 * (`ArrayBuffer`s, `MessagePort`s, ...) instead of copying them: the caller receives `value` and the
 * worker's buffers are detached (their `byteLength` becomes 0). In a child process the value is copied
 * (IPC always copies) and the list is ignored. Throws a `TypeError` when `transferList` is not an array.
 *
 * @example
 * ```ts
 * import { transfer } from '@x/executor';
 * export function render(width: number, height: number) {
 *   const pixels = new Uint8Array(width * height * 4);
 *   return transfer(pixels, [pixels.buffer]); // moved back, not copied
 * }
 * ```
 * Like piscina's `Piscina.move()`; Python's pools always pickle.
 */
export function transfer<T>(value: T, transferList: readonly TransferListItem[]): T {
  if (!Array.isArray(transferList)) {
    throw Object.assign(
      new TypeError(`${subject('transferList')} must be an array.${describeReceived(transferList)}`),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
  }
  // Typed as T: to its caller's types a marked result is the value it marks (the worker loop unwraps it).
  return { value, transferList, [TRANSFER]: true } as Transfer<T> as unknown as T;
}

/** True when `value` was made by {@link transfer} (by any copy of this package). */
export function isTransfer(value: unknown): value is Transfer {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TRANSFER] === true;
}

const markedUntransferable = (workerThreads as { isMarkedAsUntransferable?: (value: object) => boolean })
  .isMarkedAsUntransferable;

/**
 * Whether moving `buffer` could hurt something else: Node's Buffer pool (shared by every small `Buffer`) is
 * marked untransferable on Node 21+; on older Nodes a Buffer that covers only part of its ArrayBuffer may be a
 * slice of that pool. Such buffers are copied instead.
 */
function movable(buffer: ArrayBuffer, view: ArrayBufferView | undefined): boolean {
  if (buffer.byteLength === 0) return false; // empty or detached already: nothing to move
  if (markedUntransferable !== undefined) return !markedUntransferable(buffer);
  return !(view !== undefined && Buffer.isBuffer(view) && view.byteLength !== buffer.byteLength);
}

/**
 * The `ArrayBuffer`s inside `value` (itself, typed arrays' and DataViews' buffers, inside arrays, plain
 * objects, Maps and Sets) that can move to another thread; `SharedArrayBuffer`s are shared anyway and
 * buffers that cannot move (Node's Buffer pool, WebAssembly memory) are left to be copied. Each buffer once.
 * Undefined when there is none.
 *
 * @example
 * ```ts
 * transferablesOf({ pixels: new Uint8Array(16) }); // [ArrayBuffer(16)]
 * ```
 */
export function transferablesOf(value: unknown): ArrayBuffer[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let found: Set<ArrayBuffer> | undefined;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof ArrayBuffer) {
      if (movable(v, undefined)) (found ??= new Set()).add(v);
    } else if (ArrayBuffer.isView(v)) {
      const buffer = v.buffer;
      if (buffer instanceof ArrayBuffer && movable(buffer, v)) (found ??= new Set()).add(buffer);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (v instanceof Map) {
      for (const [key, item] of v) stack.push(key, item);
    } else if (v instanceof Set) {
      for (const item of v) stack.push(item);
    } else {
      const proto = Object.getPrototypeOf(v);
      // Only plain data is walked: structured clone drops class instances' prototypes anyway.
      if (proto === Object.prototype || proto === null) for (const key in v) stack.push((v as never)[key]);
    }
  }
  return found === undefined ? undefined : [...found];
}
