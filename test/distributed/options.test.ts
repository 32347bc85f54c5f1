// DistributedExecutor's options and a Redis that is not there: no redis-server needed.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { DistributedExecutor, DistributedWorker } from "asyncio-ts/distributed";

const tasks = asyncio.taskModule<typeof import("../fixtures/distributed/tasks.ts")>(
  new URL("../fixtures/distributed/tasks.js", import.meta.url),
);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("DistributedExecutor's options", () => {
  it("refuse a bad queue name, attempts, backoff or interval", () => {
    assert.throws(() => new DistributedExecutor({ queue: "" }), { name: "ValueError", message: /queue must be/ });
    assert.throws(() => new DistributedExecutor({ queue: "a:b" }), { name: "ValueError", message: /without ":"/ });
    assert.throws(() => new DistributedExecutor({ queue: "q", attempts: 0 }), /attempts must be a positive integer/);
    assert.throws(
      () => new DistributedExecutor({ queue: "q", backoff: { type: "linear" as "fixed", delay: 1 } }),
      /backoff type must be "fixed" or "exponential"/,
    );
    assert.throws(
      () => new DistributedExecutor({ queue: "q", pollInterval: 0 }),
      /pollInterval must be a positive number/,
    );
  });

  it("refuse a worker without a queue or an allowed module", () => {
    assert.throws(() => new DistributedWorker({ queue: [], modules: ["t.js"] }), /queue must be one or more/);
    assert.throws(() => new DistributedWorker({ queue: "q", modules: [] }), /at least one allowed module/);
    assert.throws(
      () => new DistributedWorker({ queue: "q", modules: ["t.js"], concurrency: 0 }),
      /concurrency must be/,
    );
  });

  it("fail the submitted Futures with an error naming Redis's address when it cannot be reached", async () => {
    const url = `redis://:secret@127.0.0.1:${await closedPort()}`;
    const outcome = await asyncio.run(
      asyncio.using(new DistributedExecutor({ queue: "q", redis: url, connectTimeout: 2 }), function* (remote) {
        return yield* asyncio.gather(remote.submit(tasks.add, 1, 2), remote.submit(tasks.add, 3, 4), {
          returnExceptions: true,
        });
      }),
    );
    for (const error of outcome) {
      assert.ok(error instanceof asyncio.RuntimeError);
      assert.match(
        error.message,
        /^could not connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*is redis-server running there/,
      );
      assert.doesNotMatch(error.message, /secret/);
    }
  });
});
