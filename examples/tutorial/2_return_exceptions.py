import asyncio

async def coro_1():
    await asyncio.sleep(2)
    return 'Result of coro 1'

async def coro_2():
    await asyncio.sleep(1)
    raise ValueError('An error occurred in coro 2')

async def main():
    try:
        results = await asyncio.gather(coro_1(), coro_2(), return_exceptions=True)
    except ValueError as exc:
        print('Caught an exception:', exc)
    else:
        print('Results:', results)

asyncio.run(main())
