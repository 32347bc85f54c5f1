import asyncio

async def save_to_disk(doc):
    await asyncio.sleep(0.3)
    print(f"saved {doc}")

async def handle_request(doc):
    save = asyncio.create_task(save_to_disk(doc))
    try:
        await asyncio.shield(save)
        print("request done")
    except asyncio.CancelledError:
        print("request cancelled; the save goes on")
        raise

async def main():
    request = asyncio.create_task(handle_request("report.txt"))
    await asyncio.sleep(0.1)
    request.cancel()
    await asyncio.sleep(0.5)
    print(f"request cancelled: {str(request.cancelled()).lower()}")

asyncio.run(main())
