export declare class LeastTask<T> implements PromiseLike<T> {
  readonly work: Promise<T>;
  done: boolean;
  constructor(work: Promise<T>);
  // biome-ignore lint/suspicious/noThenProperty: awaitable on purpose, like a Task.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
}
export declare function withReaction<T>(work: Promise<T>): Promise<T>;
