// The shield, wait, asCompleted, eager-task and gather-extension examples of
// docs/structured-concurrency.md, on virtual time: what each prints (CPython 3.13 prints the same
// for the Python original beside the four that have one), and that the page shows each file as it is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { format } from "node:util";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import * as asCompleted from "../examples/structured/as-completed.ts";
import * as eagerTasks from "../examples/structured/eager-tasks.ts";
import * as gatherLimit from "../examples/structured/gather-limit.ts";
import * as gatherSignal from "../examples/structured/gather-signal.ts";
import * as shield from "../examples/structured/shield.ts";
import * as wait from "../examples/structured/wait.ts";

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
  ["shield", shield.main, ["request cancelled; the save goes on", "saved report.txt", "request cancelled: true"], 0.6],
  ["wait", wait.main, ["first: us: 42 kB in 0.1 s", "cancelled: eu, asia", "after 0.5 s: 0 done, 1 pending"], 0.6],
  [
    "as-completed",
    asCompleted.main,
    [
      "got about (0.1 s)",
      "got blog (0.2 s)",
      "got home (0.3 s)",
      "faq finished first",
      "timed out; still running: shop",
    ],
    0.55,
  ],
  [
    "eager-tasks",
    eagerTasks.main,
    ["cached lookup done before the loop ran again: true", "database lookup done at once: false", "ages: 31, 42"],
    0.1,
  ],
  [
    "gather-limit",
    gatherLimit.main,
    [
      "[0.0 s] start page 1",
      "[0.0 s] start page 2",
      "[0.0 s] start page 3",
      "[0.1 s] start page 4",
      "[0.2 s] start page 5",
      "[0.3 s] start page 6",
      "[0.3 s] start page 7",
      "[0.4 s] start page 8",
      "page 1, page 2, page 3, page 4, page 5, page 6, page 7, page 8",
      "at most 3 at once; 0.7 s in all",
    ],
    0.7,
  ],
  [
    "gather-signal",
    gatherSignal.main,
    [
      "downloaded a.zip",
      "stopped b.zip: the user pressed stop",
      "stopped c.zip: the user pressed stop",
      "gather cancelled: the user pressed stop",
      "second gather cancelled at once: the user pressed stop",
    ],
    0.25,
  ],
];

describe("docs/structured-concurrency.md: shield, wait, asCompleted, eager tasks, gather options", () => {
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
