import { QUEUED, type Task } from './pool-task.js';

/** Whether `a` runs before `b`: higher priority first, then earlier submission. */
const before = (a: Task, b: Task) =>
  a.priority > b.priority || (a.priority === b.priority && a.order < b.order);

/**
 * The pool's queue of tasks waiting for a worker: higher `priority` first, FIFO among equals. Tasks of the
 * default priority 0 live in a plain FIFO array (O(1)); the others in a binary heap (O(log n)), so a pool
 * that never uses priorities pays nothing for them. A task withdrawn while queued (aborted, timed out) is
 * not searched for: it leaves the `size` count at once ({@link TaskQueue.withdrawn}) and its entry is skipped
 * when reached.
 */
export class TaskQueue {
  #fifo: Task[] = [];
  #head = 0;
  /** Tasks with a priority other than 0, a binary heap ordered by {@link before}. */
  readonly #heap: Task[] = [];
  /** Live tasks (withdrawn ones stay in the arrays until reached). */
  #live = 0;
  /** Submission order, for FIFO among equal priorities in the heap. */
  #order = 0;

  /** Tasks waiting (withdrawn ones excluded). */
  get size(): number {
    return this.#live;
  }

  /** Queues `task` behind those of its priority. */
  push(task: Task): void {
    task.order = this.#order++;
    if (task.priority === 0) this.#fifo.push(task);
    else this.#heapPush(task);
    this.#live++;
  }

  /**
   * Puts `tasks` back where they were (tasks a dead worker never started, a dispatch that failed): ahead of
   * every task of their priority submitted after them.
   */
  unshift(...tasks: Task[]): void {
    if (tasks.length === 0) return;
    const plain: Task[] = [];
    for (const task of tasks) {
      if (task.priority === 0) plain.push(task);
      else this.#heapPush(task); // keeps its `order`: its place among its equals
    }
    if (plain.length > 0) this.#fifo.splice(this.#head, 0, ...plain);
    this.#live += tasks.length;
  }

  /** A queued task left (it settled while waiting); its entry is skipped when reached. */
  withdrawn(): void {
    this.#live--;
  }

  /** The next live task, or undefined. */
  peek(): Task | undefined {
    const first = this.#fifoPeek();
    if (this.#heap.length === 0) return first;
    const top = this.#heapPeek();
    if (top === undefined) return first;
    return first === undefined || before(top, first) ? top : first;
  }

  /** Removes and returns the next live task, or undefined. */
  shift(): Task | undefined {
    const task = this.peek();
    if (task === undefined) return undefined;
    if (task.priority === 0) {
      this.#fifo[this.#head++] = undefined as never;
      if (this.#head === this.#fifo.length) {
        this.#fifo.length = 0;
        this.#head = 0;
      }
    } else this.#heapPop();
    this.#live--;
    return task;
  }

  /** Empties the queue and returns the live tasks it held, in the order they would have run. */
  clear(): Task[] {
    const live: Task[] = [];
    for (let task = this.shift(); task !== undefined; task = this.shift()) live.push(task);
    this.#fifo.length = 0;
    this.#head = 0;
    this.#heap.length = 0;
    this.#live = 0;
    return live;
  }

  #fifoPeek(): Task | undefined {
    while (this.#head < this.#fifo.length) {
      const task = this.#fifo[this.#head]!;
      if (task.state === QUEUED) return task;
      this.#fifo[this.#head++] = undefined as never;
    }
    if (this.#head > 0) {
      this.#fifo.length = 0;
      this.#head = 0;
    }
    return undefined;
  }

  /** The heap's first live task, dropping withdrawn ones from the top. */
  #heapPeek(): Task | undefined {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.state !== QUEUED) this.#heapPop();
    return heap[0];
  }

  #heapPush(task: Task) {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(task);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(task, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = task;
  }

  #heapPop() {
    const heap = this.#heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
