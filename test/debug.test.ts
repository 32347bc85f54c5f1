// Debug mode (src/debug.ts, src/log.ts): slow callbacks, creation sites in reports and errors,
// Tasks kept weakly, coroutines never awaited. Reports are captured through the loop's exception
// handler and through `logger.setHandler`.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { afterEach, before, beforeEach, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { runGcFixture } from "./helpers/gc-fixture.ts";

const THIS_FILE = fileURLToPath(import.meta.url);

let records: asyncio.LogRecord[] = [];
let previousHandler: asyncio.LogHandler | null = null;
beforeEach(() => {
  records = [];
  previousHandler = asyncio.logger.setHandler((record) => records.push(record));
});
afterEach(() => {
  asyncio.logger.setHandler(previousHandler);
});

function debugLoop(): VirtualTimeLoop {
  const loop = new VirtualTimeLoop();
  loop.setDebug(true);
  return loop;
}

describe("slow callbacks", () => {
  it("warns about a Task step that ran longer than slowCallbackDuration, with the Task and its creation site", async () => {
    const loop = debugLoop();
    function* busy(): asyncio.Coroutine<void> {
      loop.advance(0.25); // stands for 250 ms of blocking work
      yield* asyncio.sleep(0);
    }
    const task = loop.createTask(busy(), { name: "busy" });
    await loop.runUntilComplete(task);
    loop.close();
    assert.equal(records.length, 1);
    const record = records[0] as asyncio.LogRecord;
    assert.equal(record.level, "warning");
    assert.match(
      record.message,
      /^Executing <Task pending name='busy'.* created at .*debug\.test\.ts:\d+> took 0\.250 seconds$/,
    );
    assert.equal(record.details.task, task);
    assert.equal(record.details.duration, 0.25);
    assert.equal(record.details.sourceTraceback?.at(-1)?.fileName, THIS_FILE);
  });

  it("names the Handle of a slow plain callback", async () => {
    const loop = debugLoop();
    function blocking(): void {
      loop.advance(0.5);
    }
    const handle = loop.callSoon(blocking);
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.equal(records.length, 1);
    assert.match(records[0]?.message ?? "", /^Executing <Handle function blocking created at .*> took 0\.500 seconds$/);
    assert.equal(records[0]?.details.handle, handle);
  });

  it("stays quiet about callbacks faster than the threshold, and outside debug mode", async () => {
    const fast = debugLoop();
    fast.callSoon(() => fast.advance(0.05));
    await fast.runUntilComplete(asyncio.sleep(0));
    fast.close();
    const off = new VirtualTimeLoop();
    off.setDebug(false);
    off.callSoon(() => off.advance(5));
    await off.runUntilComplete(asyncio.sleep(0));
    off.close();
    assert.deepEqual(records, []);
  });

  it("uses the threshold the loop was given", async () => {
    const loop = debugLoop();
    loop.slowCallbackDuration = 0.01;
    loop.callSoon(() => loop.advance(0.05));
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.equal(records.length, 1);
  });
});

describe("the logger", () => {
  it("writes warnings to standard error with the creation site when no handler is set, and drops debug and info", () => {
    asyncio.logger.setHandler(null);
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    try {
      asyncio.logger.debug("not shown");
      asyncio.logger.info("not shown either");
      asyncio.logger.warning("look here", {
        sourceTraceback: [{ functionName: "main", fileName: "/app/main.ts", lineNumber: 3, columnNumber: 7 }],
      });
    } finally {
      console.error = original;
    }
    assert.deepEqual(lines, [
      'asyncio-ts WARNING: look here\nObject created at (most recent call last):\n  File "/app/main.ts", line 3, column 7, in main',
    ]);
  });

  it("returns the previous handler and refuses a handler that is not a function", () => {
    const mine = (): void => {};
    const before = asyncio.logger.setHandler(mine);
    assert.equal(asyncio.logger.getHandler(), mine);
    assert.equal(asyncio.logger.setHandler(before), mine);
    assert.throws(() => asyncio.logger.setHandler("stderr" as never), TypeError);
  });
});

describe("creation sites in reports and errors", () => {
  it("puts the creation site in a misuse error's message (through the Future's repr)", () => {
    const loop = debugLoop();
    const fut = loop.createFuture<number>();
    const line = Number(new Error().stack?.split("\n")[1]?.match(/:(\d+):\d+\)?$/)?.[1]) - 1;
    fut.setResult(1);
    assert.throws(
      () => fut.setResult(2),
      (error: Error) =>
        error instanceof asyncio.InvalidStateError && error.message.includes(`created at ${THIS_FILE}:${line}>`),
    );
    loop.close();
  });

  it("leaves reprs without a creation site outside debug mode", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(false);
    const fut = loop.createFuture();
    assert.equal(String(fut), "<Future pending>");
    assert.equal(fut._sourceTraceback, null);
    assert.equal(loop.callSoon(() => {})._sourceTraceback, null);
    loop.close();
  });

  it("adds sourceTraceback to 'Task exception was never retrieved', and the default handler prints it", async () => {
    const loop = debugLoop();
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, context) => contexts.push(context));
    function* failing(): asyncio.Coroutine<never> {
      throw new asyncio.ValueError("nobody looks");
    }
    const task = loop.createTask(failing());
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.equal(contexts.length, 1);
    const context = contexts[0] as asyncio.ExceptionContext;
    assert.equal(context.message, "Task exception was never retrieved");
    assert.deepEqual(context.sourceTraceback, task._sourceTraceback);
    assert.equal(context.sourceTraceback?.at(-1)?.fileName, THIS_FILE);

    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args.map(String).join(" "));
    try {
      loop.defaultExceptionHandler(context);
    } finally {
      console.error = original;
    }
    assert.match(
      printed[0] ?? "",
      /\nObject created at \(most recent call last\):\n {2}File ".*debug\.test\.ts", line \d+/,
    );
  });

  it("adds sourceTraceback to the report of a callback that threw", async () => {
    const loop = debugLoop();
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, context) => contexts.push(context));
    const handle = loop.callSoon(() => {
      throw new Error("callback failed");
    });
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.handle, handle);
    assert.deepEqual(contexts[0]?.sourceTraceback, handle._sourceTraceback);
  });
});

describe("Tasks in debug mode", () => {
  it("still lists pending Tasks in allTasks() and cancels them when run() ends", async () => {
    const cleaned: string[] = [];
    function* forever(name: string): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(3600);
      } finally {
        cleaned.push(name);
      }
    }
    let seen: string[] = [];
    await asyncio.run(
      (function* () {
        asyncio.createTask(forever("a"), { name: "a" });
        asyncio.createTask(forever("b"), { name: "b" });
        yield* asyncio.sleep(0);
        seen = [...asyncio.allTasks()].map((t) => t.getName()).sort();
      })(),
      { debug: true, loopFactory: () => new VirtualTimeLoop() },
    );
    // main (automatically named), a and b.
    assert.equal(seen.length, 3);
    assert.ok(seen.includes("a") && seen.includes("b"), String(seen));
    assert.deepEqual(cleaned.sort(), ["a", "b"]);
  });

  it("hands its Tasks back to the loop when debug mode is turned off", async () => {
    const loop = debugLoop();
    const task = loop.createTask(asyncio.sleep(10), { name: "sleeper" });
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.setDebug(false);
    assert.deepEqual([...asyncio.allTasks(loop)], [task]);
    task.cancel();
    await loop.runUntilComplete(asyncio.sleep(0));
    assert.equal(task.cancelled(), true);
    assert.equal(asyncio.allTasks(loop).size, 0);
    loop.close();
  });

  it("warns when a Task's coroutine returns a coroutine instead of awaiting it", async () => {
    const loop = debugLoop();
    function* inner(): asyncio.Coroutine<number> {
      return 1;
    }
    function* outer(): asyncio.Coroutine<asyncio.Coroutine<number>> {
      return inner(); // should be: return yield* inner()
    }
    const task = loop.createTask(outer(), { name: "outer" });
    await loop.runUntilComplete(task);
    loop.close();
    assert.equal(records.length, 1);
    assert.match(records[0]?.message ?? "", /^<Task finished name='outer'.*> returned a coroutine without running it/);
    assert.equal(records[0]?.details.task, task);
  });
});

describe("trackAwaited", () => {
  it("runs the coroutine function unchanged, in and out of debug mode", async () => {
    const double = asyncio.trackAwaited(function* double(x: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(1);
      return 2 * x;
    });
    assert.equal(double.name, "double");
    for (const debug of [true, false]) {
      const result = await asyncio.run(
        (function* () {
          const coro = double(21);
          assert.equal(asyncio.isCoroutine(coro), true);
          const [a, b] = yield* asyncio.gather(coro, asyncio.createTask(double(1)));
          return a + b;
        })(),
        { debug, loopFactory: () => new VirtualTimeLoop() },
      );
      assert.equal(result, 44);
    }
    assert.deepEqual(records, []);
  });

  it("refuses what is not a function", () => {
    assert.throws(() => asyncio.trackAwaited(42 as never), TypeError);
  });

  describe("with the garbage collector (child process)", () => {
    type Outcome = {
      collected: boolean;
      reports: { message: string; sourceTraceback: asyncio.SourceFrame[] | null }[];
    };
    let outcomes: Record<string, Outcome>;
    before(async () => {
      outcomes = await runGcFixture(
        "debug-gc",
        ["coroutine-never-awaited", "coroutine-never-awaited-outside-debug", "gather-child-destroyed"],
        60_000,
      );
    });

    it("reports a tracked coroutine dropped without running, with the line that made it", () => {
      const outcome = outcomes["coroutine-never-awaited"] as Outcome;
      assert.equal(outcome.collected, true);
      assert.equal(outcome.reports.length, 1, JSON.stringify(outcome.reports));
      assert.equal(outcome.reports[0]?.message, "coroutine 'fetchUser' was never awaited");
      const site = outcome.reports[0]?.sourceTraceback?.at(-1);
      assert.match(site?.fileName ?? "", /debug-gc\.ts$/);
    });

    it("does not track coroutines outside debug mode", () => {
      const outcome = outcomes["coroutine-never-awaited-outside-debug"] as Outcome;
      assert.equal(outcome.collected, true);
      assert.deepEqual(outcome.reports, []);
    });

    it("does not report a gather's child collected while pending (the caller never held it)", () => {
      const outcome = outcomes["gather-child-destroyed"] as Outcome;
      assert.equal(outcome.collected, true);
      assert.deepEqual(outcome.reports, []);
    });
  });
});
