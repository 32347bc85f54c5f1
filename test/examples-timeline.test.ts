// examples/timeline.ts: the tutorial's gather program traced, on virtual time.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { main } from "../examples/timeline.ts";

describe("examples/timeline.ts", () => {
  it("prints the results, a three-row timeline ending at 2 s, and where the trace file went", async () => {
    const dir = mkdtempSync(join(tmpdir(), "asyncio-ts-timeline-"));
    const path = join(dir, "trace.json");
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      const trace = await main(path, { loopFactory: () => new VirtualTimeLoop() });
      assert.equal(trace.events.filter((e) => e.cat === "task").length, 3);
    } finally {
      console.log = original;
    }
    try {
      assert.equal(existsSync(path), true);
      const text = lines.join("\n");
      assert.match(text, /^Results: \['Result of coro 1', 'Result of coro 2'\]/);
      const rows = text.split("\n").filter((line) => /^Task-\d+ /.test(line));
      assert.equal(rows.length, 3);
      assert.match(rows[0] ?? "", /█─+█ finished {2}0s → 2s$/);
      assert.match(rows[1] ?? "", /█─+█ finished {2}0s → 2s$/);
      assert.match(rows[2] ?? "", /█─+█ +finished {2}0s → 1s$/);
      assert.match(text, /Wrote .*trace\.json: open it in https:\/\/ui\.perfetto\.dev/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
