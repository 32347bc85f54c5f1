import asyncio

async def fetch_page(name, seconds):
    await asyncio.sleep(seconds)
    return f"{name} ({seconds} s)"

async def main():
    pages = [fetch_page("home", 0.3), fetch_page("about", 0.1), fetch_page("blog", 0.2)]
    for next_page in asyncio.as_completed(pages):
        print(f"got {await next_page}")

    tasks = [
        asyncio.create_task(fetch_page("shop", 0.4), name="shop"),
        asyncio.create_task(fetch_page("faq", 0.1), name="faq"),
    ]
    try:
        async for task in asyncio.as_completed(tasks, timeout=0.25):
            print(f"{task.get_name()} finished first")
    except TimeoutError:
        late = [t.get_name() for t in tasks if not t.done()]
        print(f"timed out; still running: {', '.join(late)}")
    for task in tasks:
        task.cancel()

asyncio.run(main())
