// The using, TaskGroup, timeout and waitFor examples of docs/structured-concurrency.md, on virtual
// time: what each prints (CPython 3.13 prints the same for the Python original beside each file),
// when it ends, and that the page shows each file as it is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { format } from "node:util";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import * as taskgroup from "../examples/structured/taskgroup.ts";
import * as timeout from "../examples/structured/timeout.ts";
import * as using from "../examples/structured/using.ts";
import * as waitFor from "../examples/structured/wait-for.ts";

const root = join(import.meta.dirname, "..");
const page = readFileSync(join(root, "docs", "structured-concurrency.md"), "utf8");

/** Run `main` on a virtual-time loop; return what it printed and when it ended. */
async function run(main: () => asyncio.Coroutine<unknown>): Promise<{ lines: string[]; end: number }> {
  const lines: string[] = [];
  const loop = new VirtualTimeLoop();
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    await asyncio.run(main(), { loopFactory: () => loop });
  } finally {
    console.log = original;
  }
  return { lines, end: loop.time() };
}

/** The file as the page shows it: no header comment, no isMain guard, ending with `await asyncio.run(main())`. */
function shownSource(name: string): string {
  const lines = readFileSync(join(root, "examples", "structured", `${name}.ts`), "utf8").split("\n");
  while (lines[0]?.startsWith("//")) lines.shift();
  return lines
    .filter((line) => line !== 'import { isMain } from "../is-main.ts";')
    .join("\n")
    .replace("if (isMain(import.meta.url)) await asyncio.run(main());", "await asyncio.run(main());")
    .trimEnd();
}

/** The code and output blocks that follow `<!-- examples/structured/NAME.ts -->` on the page. */
function pageBlocks(name: string): { code: string; output: string[] } {
  const marker = `<!-- examples/structured/${name}.ts -->\n`;
  const at = page.indexOf(marker);
  assert.ok(at >= 0, `docs/structured-concurrency.md shows examples/structured/${name}.ts`);
  const m = /^```ts\n([\s\S]*?)\n```\n\n```text\n([\s\S]*?)\n```/.exec(page.slice(at + marker.length));
  assert.ok(m, `a ts block and a text block follow the marker of ${name}.ts`);
  return { code: m[1] as string, output: (m[2] as string).split("\n") };
}

const examples: [name: string, main: () => asyncio.Coroutine<unknown>, expected: string[], end: number][] = [
  [
    "using",
    using.main,
    [
      "open db",
      "close db",
      "3 rows from SELECT * FROM users",
      "open db",
      "close db after RuntimeError: permission denied",
      "caught RuntimeError: permission denied",
      "suppressed, result: undefined",
    ],
    0.9,
  ],
  [
    "taskgroup",
    taskgroup.main,
    ["t=0.3 all done: user-1, user-2, user-3", "fetch 9 cancelled", "ValueError: user 4 not found"],
    0.7,
  ],
  [
    "timeout",
    timeout.main,
    [
      "query cleaned up",
      "timed out after 1.0 s",
      "step 1 done; deadline moved to +1 s",
      "step 2 done; deadline moved to +1 s",
      "step 3 done; deadline moved to +1 s",
      "finished in time; expired: false",
    ],
    3.4,
  ],
  [
    "wait-for",
    waitFor.main,
    [
      "page after 0.5 s",
      "fetch of 3 s cancelled",
      "gave up after 1 s",
      "gave up waiting; still fetching: true",
      "page after 2 s",
    ],
    3.5,
  ],
];

describe("docs/structured-concurrency.md: using, TaskGroup, timeout, waitFor", () => {
  for (const [name, main, expected, end] of examples) {
    it(`runs examples/structured/${name}.ts and prints what the page shows`, async () => {
      const { lines, end: endedAt } = await run(main);
      assert.deepEqual(lines, expected);
      assert.ok(Math.abs(endedAt - end) < 1e-9, `${name} ended at ${endedAt}, not ${end}`);
      const blocks = pageBlocks(name);
      assert.equal(blocks.code, shownSource(name));
      assert.deepEqual(blocks.output, expected);
    });
  }
});
