// A private redis-server for the distributed tests: started before a suite, stopped by pid after it.
//
// Without a redis-server binary the suite is skipped with a message saying how to install one,
// unless REQUIRE_REDIS=1 (as in .ci/run), where a missing Redis fails the run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  findRedisServer,
  type PrivateRedis,
  REDIS_INSTALL_HINT,
  startRedisServer,
} from "../../scripts/redis-server.mjs";

export type { PrivateRedis };

const binary = findRedisServer();

/**
 * Declare a suite that needs Redis. `body` gets a function returning the private server, which is
 * started before the suite's first test and stopped after its last.
 */
export function describeWithRedis(name: string, body: (redis: () => PrivateRedis) => void): void {
  if (binary === null) {
    if (process.env.REQUIRE_REDIS === "1") {
      describe(name, () => {
        it("finds a redis-server, which REQUIRE_REDIS=1 demands", () => {
          assert.fail(`redis-server not found and REQUIRE_REDIS=1: ${REDIS_INSTALL_HINT}`);
        });
      });
    } else {
      describe(name, { skip: `redis-server not found: ${REDIS_INSTALL_HINT}` }, () => {});
    }
    return;
  }
  // Real processes can hang where a bug would make a virtual-time test fail: bound the suite.
  describe(name, { timeout: 180_000 }, () => {
    let server: PrivateRedis | null = null;
    before(async () => {
      server = await startRedisServer({ binary });
    });
    body(() => {
      if (server === null) throw new Error("the private redis-server is not running");
      return server;
    });
    // Registered after the suite's own hooks, so that it runs after them: they close their
    // connections while the server is still there.
    after(async () => {
      await server?.stop();
    });
  });
}
