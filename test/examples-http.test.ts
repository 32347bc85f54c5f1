// The tour's HTTP example: a local server, fetched with a concurrency limit, a timeout and a cancel.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { main } from "../examples/http-tour.ts";

const EXPECTED = [
  "server listening on 127.0.0.1 (a port the OS picked)",
  'limit: fetched 8 pages, at most 3 at a time; first: "page /page/1"',
  "timeout: /slow took longer than 0.1 s -> TimeoutError, and the server saw the request close",
  "cancel: /download -> CancelledError, and the server saw the request close",
];

describe("examples/http-tour.ts", () => {
  it("limits concurrency to three, times out and cancels requests, and the server sees them close", async () => {
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      await main();
    } finally {
      console.log = original;
    }
    assert.deepEqual(lines, EXPECTED);
  });

  it("runs on its own and the process exits by itself once the server is closed", () => {
    const r = spawnSync(
      process.execPath,
      ["--conditions=asyncio-ts-source", "--import", "tsx", "examples/http-tour.ts"],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), EXPECTED);
  });
});
