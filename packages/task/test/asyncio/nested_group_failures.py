"""asyncio side of the nested-group scenarios in test/asyncio.test.ts (issue 23).

Failures raised while a group is being cancelled, at three levels of nesting. Prints one JSON object per
scenario: the events in order and the shape of what the outermost group raised, with every exception group
written as group(...) and every other exception by its class name.
Run: python3 nested_group_failures.py (CPython 3.11+).
"""

import asyncio
import json


class BoomError(Exception):
    pass


class CleanupError(Exception):
    pass


class InnerCleanupError(Exception):
    pass


class MidCleanupError(Exception):
    pass


def shape(error):
    if isinstance(error, BaseExceptionGroup):
        return "group(" + ", ".join(shape(e) for e in error.exceptions) + ")"
    return type(error).__name__


async def fails_after(delay, log):
    await asyncio.sleep(delay)
    log.append("boom")
    raise BoomError()


async def fails_while_stopping(name, error_class, delay, log):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as cancelled:
        if delay:
            await asyncio.sleep(delay)
        log.append(f"{name} fails while stopping")
        # Carries the cancellation as its cause: still a failure, not a cancellation.
        raise error_class() from cancelled


async def stops_cleanly(name, log):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        raise


async def one_level(log):
    async with asyncio.TaskGroup() as outer:
        outer.create_task(fails_while_stopping("a", CleanupError, 0, log))
        outer.create_task(fails_after(0.01, log))


async def two_levels(log):
    async def child_with_group():
        async with asyncio.TaskGroup() as inner:
            inner.create_task(fails_while_stopping("inner", CleanupError, 0, log))
            inner.create_task(stops_cleanly("inner-sibling", log))

    async with asyncio.TaskGroup() as outer:
        outer.create_task(child_with_group())
        outer.create_task(fails_after(0.01, log))


async def three_levels(log):
    async def inner_group():
        async with asyncio.TaskGroup() as inner:
            inner.create_task(fails_while_stopping("inner", InnerCleanupError, 0, log))
            inner.create_task(stops_cleanly("inner-sibling", log))

    async def mid_group():
        async with asyncio.TaskGroup() as mid:
            mid.create_task(inner_group())
            mid.create_task(fails_while_stopping("mid", MidCleanupError, 0.02, log))

    async with asyncio.TaskGroup() as outer:
        outer.create_task(mid_group())
        outer.create_task(fails_after(0.01, log))


async def run(scenario):
    log = []
    try:
        await scenario(log)
        raised = None
    except BaseException as error:
        raised = shape(error)
    return {"events": log, "raised": raised}


async def main():
    out = {}
    for scenario in (one_level, two_levels, three_levels):
        out[scenario.__name__] = await run(scenario)
    print(json.dumps(out))


asyncio.run(main())
