// @x/gather's public behaviour, runtime-neutral (see ../harness.mjs).
import { AbortError, asCompleted, gather, map, wait } from '@x/gather';
import { delay, equal, ok, rejects, test, throws } from '../harness.mjs';

const pkg = 'gather';

test(pkg, 'gather resolves results in input order, whatever the completion order', async () => {
  equal(await gather([() => delay(30, 'a'), () => delay(5, 'b'), Promise.resolve('c')]), ['a', 'b', 'c']);
});

test(pkg, 'gather fails fast and aborts the signals of the other operations', async () => {
  let sibling;
  const error = await rejects(
    gather([
      async (signal) => {
        sibling = signal;
        await delay(1000);
      },
      async () => {
        await delay(5);
        throw new Error('boom');
      },
    ]),
  );
  equal(error.message, 'boom');
  ok(sibling.aborted, 'the sibling signal was not aborted');
  ok(sibling.reason instanceof AbortError, 'the sibling was not aborted with an AbortError');
});

test(
  pkg,
  'gather shares one signal among many operations (more than 10 listeners) without error',
  async () => {
    const ops = Array.from(
      { length: 50 },
      (_, i) => (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => resolve(-1));
          setTimeout(resolve, 1, i);
        }),
    );
    const results = await gather(ops);
    equal(results.length, 50);
    equal(results[49], 49);
  },
);

test(pkg, 'gather with returnExceptions puts errors in place of results', async () => {
  const results = await gather([() => 1, () => Promise.reject(new Error('x'))], { returnExceptions: true });
  equal(results[0], 1);
  ok(results[1] instanceof Error && results[1].message === 'x', 'the error is not in place');
});

test(pkg, 'gather with concurrency runs at most n at once', async () => {
  let running = 0;
  let peak = 0;
  const op = async () => {
    peak = Math.max(peak, ++running);
    await delay(5);
    running--;
  };
  await gather(
    Array.from({ length: 8 }, () => op),
    { concurrency: 2 },
  );
  equal(peak, 2, 'peak concurrency');
});

test(pkg, 'asCompleted yields in completion order', async () => {
  const seen = [];
  for await (const settled of asCompleted([() => delay(30, 'slow'), () => delay(5, 'fast')])) {
    seen.push([settled.index, settled.value]);
  }
  equal(seen, [
    [1, 'fast'],
    [0, 'slow'],
  ]);
});

test(pkg, 'wait returns done and pending at FIRST_COMPLETED', async () => {
  const { done, pending } = await wait([() => delay(5, 1), () => delay(500, 2)], {
    returnWhen: 'FIRST_COMPLETED',
  });
  equal([done.length, pending.length], [1, 1]);
});

test(pkg, 'map keeps memory bounded by concurrency over a lazy iterable', async () => {
  let pulled = 0;
  function* source() {
    for (let i = 0; i < 20; i++) {
      pulled++;
      yield i;
    }
  }
  const results = await map(source(), async (n) => n * 2, { concurrency: 3 });
  equal(results.slice(0, 4), [0, 2, 4, 6]);
  equal(pulled, 20);
});

test(pkg, 'bad input throws a TypeError with a Node-style code at once', () => {
  const error = throws(() => gather(42));
  ok(error instanceof TypeError, `not a TypeError: ${error}`);
  equal(error.code, 'ERR_INVALID_ARG_TYPE');
});
