import asyncio
import contextlib


class Connection:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        await asyncio.sleep(0.1)
        print(f"open {self.name}")
        return self

    async def __aexit__(self, et, error, tb):
        await asyncio.sleep(0.1)
        print(f"close {self.name}" if error is None else f"close {self.name} after RuntimeError: {error}")
        return False

    async def query(self, sql):
        await asyncio.sleep(0.2)
        if sql.startswith("DROP"):
            raise RuntimeError("permission denied")
        return f"3 rows from {sql}"


async def main():
    async with Connection("db") as conn:
        rows = await conn.query("SELECT * FROM users")
    print(rows)

    try:
        async with Connection("db") as conn:
            await conn.query("DROP TABLE users")
    except RuntimeError as error:
        print(f"caught RuntimeError: {error}")

    result = None
    with contextlib.suppress(RuntimeError):  # a sync context manager in Python; an async one here
        await asyncio.sleep(0.1)
        raise RuntimeError("ignored")
    print(f"suppressed, result: {'undefined' if result is None else result}")


asyncio.run(main())
