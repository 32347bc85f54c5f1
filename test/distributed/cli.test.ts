// The `asyncio-ts` command's arguments, and its launcher: no Redis needed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main, parseWorkerArgs } from "../../src/distributed/cli.ts";

describe("asyncio-ts worker's arguments", () => {
  it("parse repeated queues and modules, numbers and flags", () => {
    const options = parseWorkerArgs([
      "--redis",
      "redis://10.0.0.5:6379",
      "--queue",
      "a",
      "--queue",
      "b",
      "--module",
      "./dist/one.js",
      "--module",
      "./dist/two.js",
      "--concurrency",
      "8",
      "--threads",
      "2",
      "--grace",
      "2.5",
      "--lock-duration",
      "3",
      "--stalled-interval",
      "1",
      "--max-stalled",
      "2",
      "--prefix",
      "jobs",
      "--verbose",
    ]);
    assert.deepEqual(options, {
      redis: "redis://10.0.0.5:6379",
      queue: ["a", "b"],
      modules: ["./dist/one.js", "./dist/two.js"],
      concurrency: 8,
      threads: 2,
      grace: 2.5,
      lockDuration: 3,
      stalledInterval: 1,
      maxStalledCount: 2,
      prefix: "jobs",
      verbose: true,
    });
  });

  it("demand a queue and at least one module", () => {
    assert.throws(() => parseWorkerArgs(["--module", "x.js"]), /--queue is required/);
    assert.throws(() => parseWorkerArgs(["--queue", "q"]), /--module is required: the worker imports only the modules/);
  });

  it("refuse a number that is not one, an unknown flag and a stray argument", () => {
    assert.throws(
      () => parseWorkerArgs(["--queue", "q", "--module", "m.js", "--threads", "many"]),
      /--threads expects a number/,
    );
    assert.throws(
      () => parseWorkerArgs(["--queue", "q", "--module", "m.js", "--thread", "2"]),
      /Unknown option '--thread'/,
    );
    assert.throws(() => parseWorkerArgs(["--queue", "q", "--module", "m.js", "extra"]), /unexpected argument extra/);
  });
});

describe("the asyncio-ts command", () => {
  it("exits 2 with the usage for an unknown command or bad options, 0 for --help", async () => {
    const written: string[] = [];
    const out = process.stdout.write;
    const err = process.stderr.write;
    const capture = ((chunk: string) => written.push(chunk) > 0) as typeof out;
    process.stdout.write = capture;
    process.stderr.write = capture;
    let codes: number[];
    try {
      codes = [
        await main(["serve"]),
        await main(["worker", "--queue", "q"]),
        await main(["worker", "--queue", "q", "--module", "m.js", "--threads=-1"]),
        await main(["--help"]),
      ];
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    assert.deepEqual(codes, [2, 2, 2, 0]);
    assert.match(written[0] ?? "", /^asyncio-ts: unknown command serve\n\nusage: asyncio-ts worker/);
    assert.match(written[1] ?? "", /^asyncio-ts worker: --module is required/);
    assert.match(written[2] ?? "", /^asyncio-ts worker: threads must be a non-negative integer, got number -1/);
    assert.match(written[3] ?? "", /^usage: asyncio-ts worker --queue NAME --module PATH/);
  });

  it("runs from bin/ on the built dist/, or says how to build it", () => {
    const bin = fileURLToPath(new URL("../../bin/asyncio-ts.mjs", import.meta.url));
    const built = existsSync(fileURLToPath(new URL("../../dist/distributed/cli.js", import.meta.url)));
    const run = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    if (built) {
      assert.equal(run.status, 0);
      assert.match(run.stdout, /^usage: asyncio-ts worker/);
    } else {
      assert.equal(run.status, 1);
      assert.match(run.stderr, /dist\/ is missing: build the package \(npm run build\)/);
    }
  });
});
