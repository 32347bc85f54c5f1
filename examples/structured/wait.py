import asyncio

async def download(mirror, seconds):
    await asyncio.sleep(seconds)
    return f"{mirror}: 42 kB in {seconds} s"

async def main():
    mirrors = [
        asyncio.create_task(download("eu", 0.3), name="eu"),
        asyncio.create_task(download("us", 0.1), name="us"),
        asyncio.create_task(download("asia", 0.2), name="asia"),
    ]
    done, pending = await asyncio.wait(mirrors, return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        print(f"first: {task.result()}")
    for task in pending:
        task.cancel()
    # A Python set has no order; sort by creation to print what the TypeScript version prints.
    print(f"cancelled: {', '.join(t.get_name() for t in mirrors if t in pending)}")

    backup = asyncio.create_task(download("backup", 5))
    finished, still_running = await asyncio.wait([backup], timeout=0.5)
    print(f"after 0.5 s: {len(finished)} done, {len(still_running)} pending")
    backup.cancel()

asyncio.run(main())
