import asyncio

cache = {"alice": 31}

async def lookup_age(user):
    if user in cache:
        return cache[user]
    await asyncio.sleep(0.1)
    cache[user] = 42
    return 42

async def main():
    asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    hit = asyncio.create_task(lookup_age("alice"))
    print(f"cached lookup done before the loop ran again: {str(hit.done()).lower()}")
    miss = asyncio.create_task(lookup_age("bob"))
    print(f"database lookup done at once: {str(miss.done()).lower()}")
    print(f"ages: {await hit}, {await miss}")

asyncio.run(main())
