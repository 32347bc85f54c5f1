import asyncio


async def fetch_page(seconds):
    try:
        await asyncio.sleep(seconds)
        return f"page after {seconds} s"
    except asyncio.CancelledError:
        print(f"fetch of {seconds} s cancelled")
        raise


async def main():
    print(await asyncio.wait_for(fetch_page(0.5), 1))

    try:
        await asyncio.wait_for(fetch_page(3), 1)
    except TimeoutError:
        print("gave up after 1 s")

    task = asyncio.create_task(fetch_page(2))
    try:
        await asyncio.wait_for(asyncio.shield(task), 1)
    except TimeoutError:
        print(f"gave up waiting; still fetching: {str(not task.done()).lower()}")
    print(await task)


asyncio.run(main())
