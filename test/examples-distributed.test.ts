// The distributed example: a private Redis, two worker processes, a gather of jobs across them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { main } from "../examples/distributed.ts";
import { findRedisServer, REDIS_INSTALL_HINT } from "../scripts/redis-server.mjs";

const noRedis = findRedisServer() === null && process.env.REQUIRE_REDIS !== "1";

describe("the distributed example", () => {
  it("gathers jobs on two worker processes in argument order, then stops the workers and Redis", {
    skip: noRedis ? `redis-server not found: ${REDIS_INSTALL_HINT}` : false,
  }, async () => {
    const lines: string[] = [];
    const bar: string[] = [];
    const log = console.log;
    const write = process.stderr.write;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    process.stderr.write = ((chunk: string | Uint8Array) => bar.push(String(chunk)) > 0) as typeof write;
    let summary: Awaited<ReturnType<typeof main>>;
    try {
      summary = await main(60);
    } finally {
      console.log = log;
      process.stderr.write = write;
    }
    assert.ok(summary !== null, "main() found no redis-server");
    assert.equal(summary.inOrder, true);
    const pids = Object.keys(summary.perWorker).map(Number);
    assert.equal(pids.length, 2);
    assert.equal(
      Object.values(summary.perWorker).reduce((a, b) => a + b),
      60,
    );
    // main() waited for both workers to exit.
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
    assert.match(
      lines.at(-1) ?? "",
      /^60 jobs in \d+\.\d\d s \(\d+ on worker \d+, \d+ on worker \d+\); results in order: true$/,
    );
    assert.match(bar.at(-1) ?? "", /\[#{30}\] 60\/60 \(queued 0, running 0, done 60, failed 0\)/);
  });
});
