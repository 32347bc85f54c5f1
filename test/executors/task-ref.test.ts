// task() and taskModule(): references to exported functions, the form in which work crosses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as asyncio from "asyncio-ts";
import { isTaskRef } from "asyncio-ts/executors";
import { WORK_URL } from "./helpers.ts";

describe("task", () => {
  it("refers to a module by file URL and to a function by export name", () => {
    const ref = asyncio.task(WORK_URL, "fib");
    assert.equal(ref.module, WORK_URL.href);
    assert.equal(ref.name, "fib");
    assert.equal(ref.terminateOnCancel, undefined);
    assert.ok(Object.isFrozen(ref));
    assert.equal(asyncio.task(fileURLToPath(WORK_URL), "fib").module, WORK_URL.href);
    assert.equal(asyncio.task(WORK_URL.href, "fib", { terminateOnCancel: true }).terminateOnCancel, true);
  });

  it("refuses a relative path, a URL that is not a file, and an empty name, naming the fix", () => {
    assert.throws(() => asyncio.task("./work.js", "fib"), /new URL\("\.\/work\.js", import\.meta\.url\)/);
    assert.throws(() => asyncio.task(new URL("https://example.org/work.js"), "fib"), /needs a file: URL/);
    assert.throws(() => asyncio.task(WORK_URL, ""), /name of an exported function/);
  });

  it("is recognised by shape, so references from another copy of asyncio-ts pass", () => {
    assert.equal(isTaskRef(asyncio.task(WORK_URL, "fib")), true);
    assert.equal(isTaskRef({ module: WORK_URL.href, name: "fib" }), true);
    assert.equal(isTaskRef({ module: "./work.js", name: "fib" }), false);
    assert.equal(
      isTaskRef(() => 1),
      false,
    );
  });
});

describe("taskModule", () => {
  it("makes one reference per export name, on first read, with the module's options", () => {
    const work = asyncio.taskModule<typeof import("../fixtures/work.js")>(WORK_URL, { terminateOnCancel: true });
    assert.equal(work.fib, work.fib);
    assert.deepEqual({ ...work.add }, { module: WORK_URL.href, name: "add", terminateOnCancel: true });
  });
});
