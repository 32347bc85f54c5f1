import asyncio

start = 0


def elapsed():
    return f"{asyncio.get_running_loop().time() - start:.1f}"


async def fetch_user(id):
    try:
        await asyncio.sleep(id / 10)
    except asyncio.CancelledError:
        print(f"fetch {id} cancelled")
        raise
    if id == 4:
        raise ValueError(f"user {id} not found")
    return f"user-{id}"


async def main():
    global start
    start = asyncio.get_running_loop().time()

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch_user(id)) for id in [1, 2, 3]]
    print(f"t={elapsed()} all done:", ", ".join(t.result() for t in tasks))

    try:
        async with asyncio.TaskGroup() as tg:
            for id in [1, 4, 9]:
                tg.create_task(fetch_user(id))
            await asyncio.sleep(10)
    except* ValueError as not_found:
        for e in not_found.exceptions:
            print(f"ValueError: {e}")


asyncio.run(main())
