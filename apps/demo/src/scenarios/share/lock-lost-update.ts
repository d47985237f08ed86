import { setTimeout as delay } from 'node:timers/promises';
import { Lock } from '@x/locks';
import { defineScenario } from '../../tour/scenario.js';

export default defineScenario({
  id: 'share/lock-lost-update',
  title: 'Lock: ten read-modify-write updates lose most of their work unguarded, none with a Lock',
  source: 'Python docs, asyncio "Synchronization Primitives" (Lock); issue 15',
  expected:
    'Without a lock, tasks that read, await, then write overwrite each other (lost updates); async with lock: makes the ten increments count.',
  async run(ctx) {
    const ioMs = ctx.ms(50);
    const account = { balance: 0 };
    // A database round trip between the read and the write. The unguarded run passes no signal: ten
    // concurrent timers on the tour's signal would trip Node's 10-listener warning; they last 50 ms.
    const deposit = async (signal?: AbortSignal) => {
      const read = account.balance;
      await delay(ioMs, undefined, { signal });
      account.balance = read + 1;
    };
    await Promise.all(Array.from({ length: 10 }, () => deposit()));
    const unguarded = account.balance;
    ctx.log(`unguarded: 10 deposits, balance ${unguarded}`);
    account.balance = 0;
    const lock = new Lock();
    await Promise.all(Array.from({ length: 10 }, () => lock.run(deposit, { signal: ctx.signal })));
    const guarded = account.balance;
    ctx.log(`with a Lock: 10 deposits, balance ${guarded}`);
    return {
      ok: unguarded < 10 && guarded === 10,
      measured: `unguarded balance ${unguarded} after 10 deposits (lost updates); with a Lock ${guarded}`,
      data: { unguarded, guarded },
    };
  },
});
