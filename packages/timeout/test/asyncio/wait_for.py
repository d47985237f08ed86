"""asyncio side of the wait_for scenarios in test/asyncio.test.ts (issue 23).

asyncio.wait_for cancels the inner task at the deadline and waits for it to finish before it returns or
raises (bpo-32751); if the inner task swallowed the cancellation it returns its value, and if it failed while
stopping it raises that failure (bpo-40607, CPython 3.11). Prints one JSON object: per scenario, the events in
order. Run: python3 wait_for.py (CPython 3.11+).
"""

import asyncio
import json


class CleanupError(Exception):
    pass


async def cleans_up_slowly(log):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.03)
        log.append("cleanup done")
        raise


async def swallows_cancellation(log):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.02)
        log.append("finished anyway")
        return "late value"


async def fails_while_stopping(log):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log.append("fails while stopping")
        raise CleanupError()


async def outcome(log, awaitable):
    try:
        value = await awaitable
        log.append(f"returned {value}")
    except BaseException as error:
        log.append(f"raised {type(error).__name__}")


async def deadline(inner):
    log = []
    await outcome(log, asyncio.wait_for(inner(log), 0.01))
    return log


async def caller_cancels():
    log = []
    waiter = asyncio.create_task(outcome(log, asyncio.wait_for(cleans_up_slowly(log), 10)))
    await asyncio.sleep(0.01)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    return log


async def main():
    print(
        json.dumps(
            {
                "cleanup": await deadline(cleans_up_slowly),
                "swallowed": await deadline(swallows_cancellation),
                "fails_while_stopping": await deadline(fails_while_stopping),
                "caller_cancels": await caller_cancels(),
            }
        )
    )


asyncio.run(main())
