// Call graphs (src/graph.ts): who awaits whom, upward from a Future (captureCallGraph, as Python
// 3.14) and downward over a whole loop (captureTaskTree), for gather, nested gather, TaskGroup,
// shield and cancelled Tasks.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

const THIS_FILE = fileURLToPath(import.meta.url);

/** A sleep on a plain Future, so that the trees below do not depend on how sleep() is built. */
function* pause(seconds: number): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const future = loop.createFuture<void>();
  const timer = loop.callLater(seconds, () => {
    if (!future.done()) future.setResult(undefined);
  });
  try {
    yield* future;
  } finally {
    timer.cancel();
  }
}

function* sleeper(delay: number): asyncio.Coroutine<number> {
  yield* pause(delay);
  return delay;
}

/** Names of a call graph, level by level: [name, [awaiters...]]. */
type Shape = [string, Shape[]];
function shape(graph: asyncio.FutureCallGraph): Shape {
  const f = graph.future;
  return [f instanceof asyncio.Task ? f.getName() : f.constructor.name, graph.awaitedBy.map(shape)];
}

/** Run `main` as Task 'main' on a virtual-time loop, calling `probe(loop)` at loop time `at`. */
async function probeAt(main: () => asyncio.Coroutine<unknown>, at: number, probe: (loop: VirtualTimeLoop) => void) {
  const loop = new VirtualTimeLoop();
  let probed = false;
  loop.callAt(at, () => {
    probe(loop);
    probed = true;
  });
  const task = loop.createTask(main(), { name: "main" });
  try {
    await loop.runUntilComplete(task);
  } finally {
    loop.close();
  }
  assert.equal(probed, true, "the probe ran");
}

function taskNamed(loop: asyncio.EventLoop, name: string): asyncio.Task<unknown> {
  const found = [...asyncio.allTasks(loop)].find((t) => t.getName() === name);
  assert.ok(found, `a pending task named ${name}`);
  return found;
}

describe("a task awaiting a gather of three children", () => {
  function* main(): asyncio.Coroutine<number[]> {
    return yield* asyncio.gather(
      asyncio.createTask(sleeper(1), { name: "one" }),
      asyncio.createTask(sleeper(2), { name: "two" }),
      asyncio.createTask(sleeper(3), { name: "three" }),
    );
  }

  it("draws the loop's tree top down, with done children and their outcome", async () => {
    await probeAt(main, 1.5, (loop) => {
      assert.equal(
        asyncio.formatTaskTree(loop),
        [
          "└── Task 'main' pending",
          "    └── gather pending (3 children)",
          "        ├── Task 'one' finished",
          "        ├── Task 'two' pending",
          "        │   └── Future pending",
          "        └── Task 'three' pending",
          "            └── Future pending",
        ].join("\n"),
      );
    });
  });

  it("shows each child awaited by the task awaiting the gather", async () => {
    await probeAt(main, 0.5, (loop) => {
      const two = taskNamed(loop, "two");
      assert.deepEqual(shape(asyncio.captureCallGraph(two) as asyncio.FutureCallGraph), ["two", [["main", []]]]);
      assert.equal(
        asyncio.formatCallGraph(two),
        ["* Task(name='two', state=pending)", "  + Awaited by:", "    * Task(name='main', state=pending)"].join("\n"),
      );
    });
  });

  it("gives the current task its call stack, innermost frame first, ending at the coroutine the Task runs", async () => {
    let graph: asyncio.FutureCallGraph | null = null;
    let text = "";
    let line = 0;
    function* deepest(): asyncio.Coroutine<void> {
      line = Number(new Error().stack?.split("\n")[1]?.match(/:(\d+):\d+\)?$/)?.[1]) + 1;
      graph = asyncio.captureCallGraph();
      text = asyncio.formatCallGraph();
    }
    function* child(): asyncio.Coroutine<void> {
      yield* deepest();
    }
    const loop = new VirtualTimeLoop();
    await loop.runUntilComplete(
      loop.createTask(
        (function* outer() {
          yield* asyncio.gather(asyncio.createTask(child(), { name: "child" }));
        })(),
        { name: "main" },
      ),
    );
    loop.close();
    const captured = graph as asyncio.FutureCallGraph | null;
    assert.ok(captured);
    assert.deepEqual(shape(captured), ["child", [["main", []]]]);
    assert.deepEqual(
      captured.callStack.map((f) => [f.functionName, f.fileName]),
      [
        ["deepest", THIS_FILE],
        ["child", THIS_FILE],
      ],
    );
    assert.equal(captured.callStack[0]?.lineNumber, line);
    const lines = text.split("\n");
    assert.deepEqual(lines.slice(0, 2), ["* Task(name='child', state=running)", "  + Call stack:"]);
    assert.equal(lines[2], `  |   File '${THIS_FILE}', line ${line + 1}, in deepest()`);
    assert.deepEqual(lines.slice(-2), ["  + Awaited by:", "    * Task(name='main', state=pending)"]);
  });
});

describe("a nested gather", () => {
  function* sub(): asyncio.Coroutine<number[]> {
    return yield* asyncio.gather(
      asyncio.createTask(sleeper(1), { name: "b" }),
      asyncio.createTask(sleeper(2), { name: "c" }),
    );
  }
  function* main(): asyncio.Coroutine<unknown> {
    return yield* asyncio.gather(
      asyncio.createTask(sleeper(3), { name: "a" }),
      asyncio.createTask(sub(), { name: "sub" }),
    );
  }

  it("chains the awaiters: c is awaited by sub, which main awaits", async () => {
    await probeAt(main, 0.5, (loop) => {
      assert.deepEqual(shape(asyncio.captureCallGraph(taskNamed(loop, "c")) as asyncio.FutureCallGraph), [
        "c",
        [["sub", [["main", []]]]],
      ]);
      assert.equal(
        asyncio.formatCallGraph(taskNamed(loop, "c")),
        [
          "* Task(name='c', state=pending)",
          "  + Awaited by:",
          "    * Task(name='sub', state=pending)",
          "      + Awaited by:",
          "        * Task(name='main', state=pending)",
        ].join("\n"),
      );
    });
  });

  it("nests the inner gather under the task that awaits it", async () => {
    await probeAt(main, 1.5, (loop) => {
      assert.equal(
        asyncio.formatTaskTree(loop),
        [
          "└── Task 'main' pending",
          "    └── gather pending (2 children)",
          "        ├── Task 'a' pending",
          "        │   └── Future pending",
          "        └── Task 'sub' pending",
          "            └── gather pending (2 children)",
          "                ├── Task 'b' finished",
          "                └── Task 'c' pending",
          "                    └── Future pending",
        ].join("\n"),
      );
    });
  });
});

describe("a TaskGroup", () => {
  function* main(): asyncio.Coroutine<void> {
    yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
      tg.createTask(sleeper(1), { name: "first" });
      tg.createTask(sleeper(2), { name: "second" });
      yield* pause(0.25);
    });
  }

  it("shows the group's tasks under the task running its block, beside what the block awaits", async () => {
    await probeAt(main, 0.1, (loop) => {
      assert.equal(
        asyncio.formatTaskTree(loop),
        [
          "└── Task 'main' pending",
          "    ├── Future pending",
          "    └── TaskGroup (2 tasks)",
          "        ├── Task 'first' pending",
          "        │   └── Future pending",
          "        └── Task 'second' pending",
          "            └── Future pending",
        ].join("\n"),
      );
    });
  });

  it("has each task of the group awaited by the task running the block, and drops it when done", async () => {
    await probeAt(main, 1.5, (loop) => {
      assert.deepEqual(shape(asyncio.captureCallGraph(taskNamed(loop, "second")) as asyncio.FutureCallGraph), [
        "second",
        [["main", []]],
      ]);
      assert.equal(
        asyncio.formatTaskTree(loop),
        [
          "└── Task 'main' pending",
          "    ├── Future pending",
          "    └── TaskGroup (1 tasks)",
          "        └── Task 'second' pending",
          "            └── Future pending",
        ].join("\n"),
      );
    });
  });
});

describe("shield", () => {
  it("shows the shielded task awaited through the shield, and free once the awaiting task is cancelled", async () => {
    const loop = new VirtualTimeLoop();
    let before = "";
    let during: string[] = [];
    let after = "";
    function* main(): asyncio.Coroutine<void> {
      const inner = asyncio.createTask(sleeper(2), { name: "inner" });
      const waiting = asyncio.createTask(
        (function* () {
          yield* asyncio.shield(inner);
        })(),
        { name: "waiting" },
      );
      yield* pause(0.5);
      before = asyncio.formatTaskTree();
      during = (asyncio.captureCallGraph(inner) as asyncio.FutureCallGraph).awaitedBy.map((g) =>
        (g.future as asyncio.Task<unknown>).getName(),
      );
      waiting.cancel();
      yield* pause(0.5);
      after = asyncio.formatCallGraph(inner);
      yield* inner;
    }
    await loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    loop.close();
    assert.equal(
      before,
      [
        "├── Task 'main' running",
        "└── Task 'waiting' pending",
        "    └── shield pending",
        "        └── Task 'inner' pending",
        "            └── Future pending",
      ].join("\n"),
    );
    assert.deepEqual(during, ["waiting"]);
    assert.equal(after, "* Task(name='inner', state=pending)");
  });
});

describe("cancelled tasks", () => {
  it("shows a cancelled child with its state, and a task asked to cancel as cancelling", async () => {
    function* stubborn(): asyncio.Coroutine<void> {
      try {
        yield* pause(10);
      } finally {
        yield* pause(1); // cleanup that takes a while
      }
    }
    function* main(): asyncio.Coroutine<unknown> {
      const victim = asyncio.createTask(sleeper(5), { name: "victim" });
      const slow = asyncio.createTask(stubborn(), { name: "stubborn" });
      asyncio.getRunningLoop().callLater(0.5, () => {
        victim.cancel();
        slow.cancel();
      });
      return yield* asyncio.gather(victim, slow, asyncio.createTask(sleeper(3), { name: "ok" }), {
        returnExceptions: true,
      });
    }
    await probeAt(main, 1, (loop) => {
      assert.equal(
        asyncio.formatTaskTree(loop),
        [
          "└── Task 'main' pending",
          "    └── gather pending (3 children)",
          "        ├── Task 'victim' cancelled",
          "        ├── Task 'stubborn' cancelling",
          "        │   └── Future pending",
          "        └── Task 'ok' pending",
          "            └── Future pending",
        ].join("\n"),
      );
      assert.equal(
        asyncio.formatCallGraph(taskNamed(loop, "stubborn")),
        ["* Task(name='stubborn', state=cancelling)", "  + Awaited by:", "    * Task(name='main', state=pending)"].join(
          "\n",
        ),
      );
    });
  });

  it("describes a cancelled or failed Future passed in, with no awaiters", () => {
    const loop = new VirtualTimeLoop();
    const cancelled = loop.createFuture();
    cancelled.cancel();
    const failed = loop.createFuture();
    failed.setException(new asyncio.ValueError("bad"));
    failed.exception();
    assert.equal(asyncio.formatCallGraph(cancelled), "* Future(state=cancelled)");
    assert.equal(asyncio.formatCallGraph(failed), "* Future(state=failed: ValueError: bad)");
    loop.close();
  });
});

describe("edge cases", () => {
  it("shows tasks awaiting each other in a cycle once round, without looping forever", async () => {
    const loop = new VirtualTimeLoop();
    let tree = "";
    let graph: Shape | null = null;
    const holder: { a?: asyncio.Task<unknown>; b?: asyncio.Task<unknown> } = {};
    function* waitFor(other: "a" | "b"): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      yield* holder[other] as asyncio.Task<unknown>;
    }
    holder.a = loop.createTask(waitFor("b"), { name: "a" });
    holder.b = loop.createTask(waitFor("a"), { name: "b" });
    loop.callLater(1, () => {
      tree = asyncio.formatTaskTree(loop);
      graph = shape(asyncio.captureCallGraph(holder.a) as asyncio.FutureCallGraph);
      holder.a?.cancel();
    });
    await loop.runUntilComplete(loop.createTask(pause(2), { name: "clock" }));
    loop.close();
    // 'a' and 'b' await each other, so neither is a root: the cycle is shown from the oldest.
    assert.equal(
      tree,
      ["├── Task 'clock' pending", "│   └── Future pending", "└── Task 'a' pending", "    └── Task 'b' pending"].join(
        "\n",
      ),
    );
    assert.deepEqual(graph, ["a", [["b", []]]]);
  });

  it("returns null from a callback (no current task), and formats and prints nothing", async () => {
    const loop = new VirtualTimeLoop();
    const seen: unknown[] = [];
    const written: string[] = [];
    loop.callSoon(() => {
      seen.push(asyncio.captureCallGraph(), asyncio.formatCallGraph());
      asyncio.printCallGraph(undefined, { file: { write: (text: string) => written.push(text) } });
    });
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.deepEqual(seen, [null, ""]);
    assert.deepEqual(written, []);
  });

  it("prints the graph to the file given", () => {
    const loop = new VirtualTimeLoop();
    const fut = loop.createFuture();
    const written: string[] = [];
    asyncio.printCallGraph(fut, { file: { write: (text: string) => written.push(text) } });
    assert.deepEqual(written, ["* Future(state=pending)\n"]);
    loop.close();
  });

  it("keeps the innermost frames with a positive limit, the outermost with a negative one, none with 0", async () => {
    const stacks: string[][] = [];
    function* c(): asyncio.Coroutine<void> {
      for (const limit of [1, -1, 0]) {
        stacks.push((asyncio.captureCallGraph(null, { limit })?.callStack ?? []).map((f) => f.functionName));
      }
    }
    function* b(): asyncio.Coroutine<void> {
      yield* c();
    }
    const loop = new VirtualTimeLoop();
    await loop.runUntilComplete(
      loop.createTask(
        (function* a() {
          yield* b();
        })(),
      ),
    );
    loop.close();
    assert.deepEqual(stacks, [["c"], ["a"], []]);
  });

  it("throws a RuntimeError without a future outside a running loop, and a TypeError for a non-Future", () => {
    assert.throws(() => asyncio.captureCallGraph(), asyncio.RuntimeError);
    assert.throws(() => asyncio.captureTaskTree(), asyncio.RuntimeError);
    assert.throws(() => asyncio.captureCallGraph(Promise.resolve(1) as never), TypeError);
  });
});
