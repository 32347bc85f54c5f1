// using(): Python's `async with`, with async context managers of your own.
// Python original: using.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

/** A connection that opens on enter and closes on exit, whatever happened in between. */
class Connection implements asyncio.AsyncContextManager<Connection, false> {
  constructor(readonly name: string) {}

  *aenter() {
    yield* asyncio.sleep(0.1);
    console.log(`open ${this.name}`);
    return this;
  }

  *aexit(error?: unknown) {
    yield* asyncio.sleep(0.1);
    console.log(error === undefined ? `close ${this.name}` : `close ${this.name} after ${String(error)}`);
    return false as const; // do not suppress the error
  }

  *query(sql: string) {
    yield* asyncio.sleep(0.2);
    if (sql.startsWith("DROP")) throw new asyncio.RuntimeError("permission denied");
    return `3 rows from ${sql}`;
  }
}

/** contextlib.suppress: swallow the listed errors by returning true from aexit. */
function suppress(...classes: (new (...args: never[]) => Error)[]): asyncio.AsyncContextManager<void, boolean> {
  return {
    *aenter() {},
    *aexit(error?: unknown) {
      return classes.some((cls) => error instanceof cls);
    },
  };
}

export function* main() {
  const rows = yield* asyncio.using(new Connection("db"), function* (conn) {
    return yield* conn.query("SELECT * FROM users");
  });
  console.log(rows);

  // The body fails: the connection is still closed, and the error reaches the caller.
  try {
    yield* asyncio.using(new Connection("db"), function* (conn) {
      yield* conn.query("DROP TABLE users");
    });
  } catch (error) {
    console.log(`caught ${String(error)}`);
  }

  // aexit returning true suppresses the error; using() then returns undefined.
  const result = yield* asyncio.using(suppress(asyncio.RuntimeError), function* () {
    yield* asyncio.sleep(0.1);
    throw new asyncio.RuntimeError("ignored");
  });
  console.log(`suppressed, result: ${result}`);
}

if (isMain(import.meta.url)) await asyncio.run(main());
