"""asyncio side of the scenarios in test/asyncio.test.ts (issue 23).

Where @x/gather follows asyncio (results in order, return_exceptions, an empty gather) and where the README
says it deliberately differs (gather cancels the siblings of a failure; wait([]) resolves instead of raising).
Prints one JSON object: per scenario, the events in order. Run: python3 gather_and_wait.py (CPython 3.11+).
"""

import asyncio
import json


class OrdersDown(Exception):
    pass


async def job(log, name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        raise
    if fail:
        log.append(f"{name} failed")
        raise OrdersDown()
    log.append(f"{name} finished")
    return name


async def fail_fast():
    log = []
    try:
        await asyncio.gather(job(log, "users", 0.05), job(log, "orders", 0.01, fail=True))
    except OrdersDown:
        log.append("gather raised OrdersDown")
    await asyncio.sleep(0.08)  # let a sibling that was left running finish
    return log


async def return_exceptions():
    log = []
    results = await asyncio.gather(
        job(log, "users", 0.02), job(log, "orders", 0.01, fail=True), return_exceptions=True
    )
    log.append("results " + ", ".join(r if isinstance(r, str) else type(r).__name__ for r in results))
    return log


async def empty_gather():
    return [f"results {await asyncio.gather()}"]


async def empty_wait():
    try:
        await asyncio.wait([])
        return ["wait returned"]
    except ValueError:
        return ["wait raised ValueError"]


async def main():
    print(
        json.dumps(
            {
                "fail_fast": await fail_fast(),
                "return_exceptions": await return_exceptions(),
                "empty_gather": await empty_gather(),
                "empty_wait": await empty_wait(),
            }
        )
    )


asyncio.run(main())
