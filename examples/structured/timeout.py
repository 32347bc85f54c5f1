import asyncio


async def slow_query():
    try:
        await asyncio.sleep(5)
        return "rows"
    finally:
        print("query cleaned up")


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()

    try:
        async with asyncio.timeout(1):
            await slow_query()
    except TimeoutError:
        print(f"timed out after {loop.time() - start:.1f} s")

    async with asyncio.timeout(1) as cm:
        for step in range(1, 4):
            await asyncio.sleep(0.8)
            cm.reschedule(loop.time() + 1)
            print(f"step {step} done; deadline moved to +1 s")
    print(f"finished in time; expired: {str(cm.expired()).lower()}")


asyncio.run(main())
