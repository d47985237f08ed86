import { QUEUED, type Task } from './pool-task.js';

/**
 * The pool's FIFO of tasks waiting for a worker. A task withdrawn while queued (aborted, timed out) is not
 * searched for: it leaves the `size` count at once ({@link TaskQueue.withdrawn}) and its entry is skipped
 * when reached, so every operation is O(1) amortized.
 */
export class TaskQueue {
  #items: Task[] = [];
  #head = 0;
  /** Live tasks (withdrawn ones stay in the array until reached). */
  #live = 0;

  /** Tasks waiting (withdrawn ones excluded). */
  get size(): number {
    return this.#live;
  }

  /** Appends `task` at the back. */
  push(task: Task): void {
    this.#items.push(task);
    this.#live++;
  }

  /** Puts `tasks` back at the front, in their order (tasks a dead worker never started, a dispatch that failed). */
  unshift(...tasks: Task[]): void {
    if (tasks.length === 0) return;
    this.#items.splice(this.#head, 0, ...tasks);
    this.#live += tasks.length;
  }

  /** A queued task left (it settled while waiting); its entry is skipped when reached. */
  withdrawn(): void {
    this.#live--;
  }

  /** The first live task, or undefined. */
  peek(): Task | undefined {
    while (this.#head < this.#items.length) {
      const task = this.#items[this.#head]!;
      if (task.state === QUEUED) return task;
      this.#items[this.#head++] = undefined as never;
    }
    if (this.#head > 0) {
      this.#items.length = 0;
      this.#head = 0;
    }
    return undefined;
  }

  /** Removes and returns the first live task, or undefined. */
  shift(): Task | undefined {
    while (this.#head < this.#items.length) {
      const task = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as never;
      if (this.#head === this.#items.length) {
        this.#items.length = 0;
        this.#head = 0;
      }
      if (task.state === QUEUED) {
        this.#live--;
        return task;
      }
    }
    return undefined;
  }

  /** Empties the queue and returns the live tasks it held, in order. */
  clear(): Task[] {
    const live: Task[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const task = this.#items[i]!;
      if (task.state === QUEUED) live.push(task);
    }
    this.#items.length = 0;
    this.#head = 0;
    this.#live = 0;
    return live;
  }
}
