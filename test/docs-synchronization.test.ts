// docs/synchronization.md cannot rot: each TypeScript program on the page runs on virtual time, and
// what it prints must match the text block that follows it.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

const root = join(import.meta.dirname, "..");
const page = readFileSync(join(root, "docs", "synchronization.md"), "utf8");
const programs = [...page.matchAll(/```ts\n([\s\S]*?)```\s*```text\n([\s\S]*?)```/g)].map((m) => ({
  source: m[1] as string,
  expected: (m[2] as string).trimEnd().split("\n"),
}));
// Inside the repository (in the ignored .tmp/), so that `import "asyncio-ts"` resolves to it.
const dir = join(root, ".tmp", `docs-synchronization-${process.pid}`);

describe("docs/synchronization.md", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("holds a program with its output for every TypeScript block", () => {
    assert.equal(programs.length, (page.match(/```ts\n/g) ?? []).length);
    assert.ok(programs.length >= 8, `only ${programs.length} programs found`);
  });

  programs.forEach(({ source, expected }, index) => {
    it(`prints what the page says for program ${index + 1} (${expected[0]})`, async () => {
      assert.match(source, /\nawait asyncio\.run\(main\(\)\);\n$/, "each program ends by running main()");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `program-${index + 1}.ts`);
      writeFileSync(file, source.replace(/\nawait asyncio\.run\(main\(\)\);\n$/, "\nexport { main };\n"));
      const { main } = (await import(pathToFileURL(file).href)) as { main: () => asyncio.Coroutine<unknown> };
      const lines: string[] = [];
      const original = console.log;
      console.log = (...args: unknown[]) => lines.push(format(...args));
      try {
        await asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
      } finally {
        console.log = original;
      }
      assert.deepEqual(lines, expected);
    });
  });
});
