// The harness of the docs/structured-concurrency.md example tests: run each example on virtual
// time, and check that the page shows its file and its output as they are.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { format } from "node:util";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** One example: its file name in examples/structured, its `main`, what it prints, and when it ends. */
export type StructuredExample = [name: string, main: () => asyncio.Coroutine<unknown>, expected: string[], end: number];

const root = join(import.meta.dirname, "..", "..");
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

/** Declare a suite `title` with one test per example: its output, its end time, and the page's copy of both. */
export function describeStructuredExamples(title: string, examples: readonly StructuredExample[]): void {
  describe(title, () => {
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
}
