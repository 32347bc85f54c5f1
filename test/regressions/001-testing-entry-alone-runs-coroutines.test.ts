// Regression: a program that imported only "asyncio-ts/testing" could not run a coroutine.
//
// The loop builds Tasks through a factory that src/tasks.ts registers when it is loaded, and the
// testing entry point did not load it: `new VirtualTimeLoop().runUntilComplete(main())` threw
// "asyncio-ts tasks module is not loaded". A type-only `import type * as asyncio from "asyncio-ts"`
// beside it is erased, so even such a test file hit it. It needs a fresh process to show.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { it } from "node:test";

const program = `
import { VirtualTimeLoop } from "asyncio-ts/testing";
const loop = new VirtualTimeLoop();
function* main() {
  yield;
  return 7;
}
console.log(await loop.runUntilComplete(main()));
`;

it("runs a coroutine on a VirtualTimeLoop when only asyncio-ts/testing is imported", async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--conditions=asyncio-ts-source", "--import", "tsx", "--input-type=module", "-e", program],
      { encoding: "utf8", timeout: 30_000 },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
  });
  assert.equal(stdout.trim(), "7");
});
