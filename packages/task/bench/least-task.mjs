/**
 * The least an awaitable task can do, measured beside `createTask` (issue 19): a thenable handle plus the one
 * reaction on its work that records `done`. A task must know synchronously that its work settled (no API reads
 * a promise's state, so that takes a reaction) and must be awaitable later without its failure being reported
 * first (a thenable, as here; a native promise would need a reaction of its own). No name, no cancellation, no
 * unobserved-failure report: its cost is a floor under any `Task`.
 * Plain JavaScript on purpose: TypeScript's class-field semantics, compiled by the bench's loader, add
 * `defineProperty` calls per instance that would make this floor several times slower than it is.
 */
export class LeastTask {
  static #settled = function () {
    this.done = true;
  };
  constructor(work) {
    this.work = work;
    this.done = false;
    work.then(LeastTask.#settled.bind(this), LeastTask.#settled.bind(this));
  }
  // biome-ignore lint/suspicious/noThenProperty: awaitable on purpose, like a Task.
  then(onFulfilled, onRejected) {
    return this.work.then(onFulfilled, onRejected);
  }
  // Keeps the class's maps alive across full collections, as `Task` does (see its `#shape`).
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read.
  static #shape = new LeastTask(Promise.resolve());
}

/** A raw promise plus one reaction: what recording `done` costs without a handle to await. */
export function withReaction(work) {
  work.then(ignore, ignore);
  return work;
}
const ignore = () => {};
