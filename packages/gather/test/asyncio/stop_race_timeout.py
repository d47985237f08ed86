"""asyncio side of the issue-17 scenarios in test/asyncio-stop.test.ts.

- task_group: a TaskGroup whose child fails cancels the sibling and raises only once the sibling has finished
  its cleanup (what gather's waitForStop: true does; by default gather raises at once).
- wait_for_each: asyncio.gather of asyncio.wait_for per item, return_exceptions=True: the slow item becomes a
  TimeoutError after its cleanup (gather's per-operation timeout with waitForStop: true).
- first_completed: asyncio.wait(FIRST_COMPLETED), then cancel the pending tasks and wait for them (race with
  waitForStop: true).
Prints one JSON object: per scenario, the events in order. Run: python3 stop_race_timeout.py (CPython 3.11+).
"""

import asyncio
import json


class OrdersDown(Exception):
    pass


async def job(log, name, delay, fail=False, cleanup=0.03):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        await asyncio.sleep(cleanup)  # closing a connection, rolling back...
        log.append(f"{name} stopped")
        raise
    if fail:
        log.append(f"{name} failed")
        raise OrdersDown()
    log.append(f"{name} finished")
    return name


async def task_group():
    log = []
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(job(log, "users", 0.5))
            group.create_task(job(log, "orders", 0.01, fail=True))
    except* OrdersDown:
        log.append("raised OrdersDown")
    return log


async def wait_for_each():
    log = []
    results = await asyncio.gather(
        asyncio.wait_for(job(log, "slow", 0.5), 0.05),
        asyncio.wait_for(job(log, "fast", 0.01), 0.05),
        return_exceptions=True,
    )
    log.append("results " + ", ".join(r if isinstance(r, str) else type(r).__name__ for r in results))
    return log


async def first_completed():
    log = []
    tasks = [asyncio.create_task(job(log, "primary", 0.5)), asyncio.create_task(job(log, "mirror", 0.01))]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    log.append(f"winner {done.pop().result()}")
    return log


async def main():
    print(
        json.dumps(
            {
                "task_group": await task_group(),
                "wait_for_each": await wait_for_each(),
                "first_completed": await first_completed(),
            }
        )
    )


asyncio.run(main())
