/**
 * Listening to a caller's `AbortSignal` at a cost that stays flat however many operations share it.
 *
 * Node's `EventTarget` keeps a signal's listeners in a list that `removeEventListener` walks, so a primitive
 * that adds one `abort` listener per operation and removes it when the operation settles makes a batch of n
 * operations on one signal cost O(n²) (16,000 pairs already take seconds), and warns
 * `MaxListenersExceededWarning` past ten. Here each signal gets at most **one** real listener (per bundled copy
 * of this module), which fans out to a doubly linked list of subscriptions: O(1) to add, O(1) to remove.
 */

/**
 * What runs when the signal aborts, with `signal.reason`: a function, or an object whose `handleAbort` is
 * called (so a class that already holds an operation's state needs no closure per subscription).
 */
export type AbortListener = ((reason: unknown) => void) | { handleAbort(reason: unknown): void };

/** A registration made by {@link onAbort}; `unsubscribe()` is its undo. */
export interface AbortSubscription {
  /**
   * Removes the listener in O(1). Idempotent, and a no-op once the listener has run. When the last
   * subscription of a signal leaves, the one real listener is removed from the signal as well.
   */
  unsubscribe(): void;
}

class Subscription implements AbortSubscription {
  prev: Subscription | null = null;
  next: Subscription | null = null;

  constructor(
    /** The list this subscription is in; null once it left (unsubscribed, or its listener ran). */
    public hub: Hub | null,
    public listener: AbortListener | null,
  ) {}

  unsubscribe(): void {
    const hub = this.hub;
    if (hub === null) return;
    hub.unlink(this);
    // Nothing left to tell: take our listener off the signal, so that a signal Node keeps alive while it
    // has listeners (`AbortSignal.timeout`, `AbortSignal.any`) is not kept alive by us.
    if (hub.head === null && hub.listening) hub.detach();
  }
}

/** The one real listener on a signal, and the subscriptions it fans out to, in subscription order. */
class Hub {
  head: Subscription | null = null;
  tail: Subscription | null = null;
  /** True while this hub's listener is on the signal: from a first subscription until the list empties. */
  listening = false;

  constructor(readonly signal: AbortSignal) {}

  append(sub: Subscription): void {
    const tail = this.tail;
    sub.prev = tail;
    if (tail === null) this.head = sub;
    else tail.next = sub;
    this.tail = sub;
  }

  unlink(sub: Subscription): void {
    const { prev, next } = sub;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    // A subscription its owner keeps after it is done must not keep its neighbours or its listener alive.
    sub.prev = sub.next = null;
    sub.hub = null;
    sub.listener = null;
  }

  attach(): void {
    this.listening = true;
    this.signal.addEventListener('abort', this);
  }

  detach(): void {
    this.listening = false;
    this.signal.removeEventListener('abort', this);
  }

  /** The signal aborted: run every subscription once, in order, each removed before it runs. */
  handleEvent(): void {
    if (!this.listening) return;
    this.detach();
    const reason = this.signal.reason;
    // The subscriptions to call move to a list of their own: one made during the dispatch (possible only
    // for a dispatched event on a signal that is not aborted) joins this hub for the next dispatch, not this.
    const batch = new Hub(this.signal);
    batch.head = this.head;
    batch.tail = this.tail;
    this.head = this.tail = null;
    for (let sub = batch.head; sub !== null; sub = sub.next) sub.hub = batch;
    // Taking the head each time (rather than following `next`) lets a listener unsubscribe any other
    // subscription, itself included, as `removeEventListener` during a dispatch would.
    for (let sub = batch.head; sub !== null; sub = batch.head) {
      const listener = sub.listener!;
      batch.unlink(sub);
      try {
        if (typeof listener === 'function') listener(reason);
        else listener.handleAbort(reason);
      } catch (error) {
        // Like EventTarget: a throwing listener is reported as uncaught and does not stop the others.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * One hub per signal, weak so it never keeps a signal alive. An emptied hub stays (detached, holding nothing
 * but its signal) until the signal is collected: a signal reused one operation at a time then costs no map
 * update per operation, and a signal used once costs no delete.
 */
const hubs = new WeakMap<AbortSignal, Hub>();

/** Returned for an already-aborted signal: there is nothing to listen to (as `addEventListener` never fires). */
const inert: AbortSubscription = Object.freeze({ unsubscribe() {} });

/**
 * Calls `listener(signal.reason)` once when `signal` aborts; returns the subscription, whose `unsubscribe()`
 * removes it. Subscribing and unsubscribing cost O(1) however many operations share the signal, and the signal
 * holds a single real `abort` listener for all of them (none once they are all gone), so sharing one signal
 * among thousands of operations neither grows quadratically nor triggers `MaxListenersExceededWarning`.
 *
 * Listeners run in subscription order. Like `addEventListener`, an already-aborted signal never calls the
 * listener (check `signal.aborted` first), a listener added while the signal is dispatching is not called,
 * one removed before its turn is not called, and a listener that throws is reported as an uncaught
 * exception without stopping the others. Works with signals of any realm (duck-typed).
 *
 * @example
 * ```ts
 * if (signal.aborted) return Promise.reject(signal.reason);
 * const subscription = onAbort(signal, (reason) => controller.abort(reason));
 * try {
 *   return await work(controller.signal);
 * } finally {
 *   subscription.unsubscribe();
 * }
 * ```
 */
export function onAbort(signal: AbortSignal, listener: AbortListener): AbortSubscription {
  if (signal.aborted) return inert;
  let hub = hubs.get(signal);
  if (hub === undefined) {
    hub = new Hub(signal);
    hubs.set(signal, hub);
  }
  if (!hub.listening) hub.attach();
  const sub = new Subscription(hub, listener);
  hub.append(sub);
  return sub;
}
