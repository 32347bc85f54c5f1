// Which module a job's module stands for on a worker: the allowlist's matching, no Redis needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModuleNotAllowedError } from "asyncio-ts/distributed";
import { ModuleAllowlist, toAllowedModule } from "../../src/distributed/allowlist.ts";

describe("ModuleAllowlist", () => {
  it("resolves paths against the base directory into file URLs", () => {
    const allowlist = new ModuleAllowlist(["./dist/tasks.js", "file:///srv/other.js"], "/srv/app");
    assert.deepEqual(allowlist.modules, ["file:///srv/app/dist/tasks.js", "file:///srv/other.js"]);
  });

  it("matches the same URL", () => {
    const allowlist = new ModuleAllowlist(["/srv/app/dist/tasks.js"]);
    assert.equal(allowlist.resolve("file:///srv/app/dist/tasks.js"), "file:///srv/app/dist/tasks.js");
  });

  it("matches a module of the same file name elsewhere, with another extension", () => {
    const allowlist = new ModuleAllowlist(["/srv/app/src/tasks.ts", "/srv/app/src/reports.ts"]);
    assert.equal(allowlist.resolve("file:///home/me/project/dist/tasks.js"), "file:///srv/app/src/tasks.ts");
    assert.equal(allowlist.resolve("file:///home/me/project/dist/reports.mjs"), "file:///srv/app/src/reports.ts");
  });

  it("breaks a tie between files of the same name by the longest common tail of their paths", () => {
    const allowlist = new ModuleAllowlist(["/srv/a/jobs/tasks.js", "/srv/b/mail/tasks.js"]);
    assert.equal(allowlist.resolve("file:///home/me/mail/tasks.js"), "file:///srv/b/mail/tasks.js");
  });

  it("refuses a module it cannot tell apart from another", () => {
    const allowlist = new ModuleAllowlist(["/srv/a/jobs/tasks.js", "/srv/b/mail/tasks.js"]);
    assert.throws(() => allowlist.resolve("file:///home/me/tasks.js"), {
      name: "ModuleNotAllowedError",
      message: /cannot tell which of its allowed modules/,
    });
  });

  it("refuses a module that is not on the list, naming the list and the fix", () => {
    const allowlist = new ModuleAllowlist(["/srv/app/dist/tasks.js"]);
    for (const requested of [
      "file:///etc/passwd",
      "file:///srv/app/dist/evil.js",
      "node:child_process",
      "data:text/javascript,1",
    ]) {
      const error = (() => {
        try {
          allowlist.resolve(requested);
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      assert.ok(error instanceof ModuleNotAllowedError, requested);
      assert.equal(error.module, requested);
      assert.deepEqual(error.allowed, ["file:///srv/app/dist/tasks.js"]);
      assert.match(
        error.message,
        /not on its allowlist \(file:\/\/\/srv\/app\/dist\/tasks\.js\); start the worker with --module/,
      );
    }
  });

  it("allows files only", () => {
    assert.throws(() => toAllowedModule("https://example.com/tasks.js"), TypeError);
    assert.throws(() => toAllowedModule(new URL("https://example.com/tasks.js")), TypeError);
    assert.equal(toAllowedModule("tasks.js", "/srv"), "file:///srv/tasks.js");
  });
});
