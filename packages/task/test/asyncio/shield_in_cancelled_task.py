"""asyncio side of the shield scenario in test/asyncio.test.ts (issue 23).

A task awaits asyncio.shield(save) and is cancelled while the save runs: the await raises CancelledError at
once, the save runs on to completion. Prints the events in order as JSON.
Run: python3 shield_in_cancelled_task.py (CPython 3.11+).
"""

import asyncio
import json


async def main():
    log = []

    async def save():
        await asyncio.sleep(0.05)
        log.append("save finished")
        return "saved"

    save_task = asyncio.create_task(save())

    async def editor():
        try:
            await asyncio.shield(save_task)
            log.append("editor resumed")
        except asyncio.CancelledError:
            log.append("editor cancelled while waiting")
            raise

    editor_task = asyncio.create_task(editor())
    await asyncio.sleep(0.01)
    editor_task.cancel()
    log.append("cancel requested")
    try:
        await editor_task
    except asyncio.CancelledError:
        log.append("editor done: cancelled")
    log.append(f"save done: {str(save_task.done()).lower()}")
    log.append(f"save result: {await save_task}")
    print(json.dumps({"events": log}))


asyncio.run(main())
