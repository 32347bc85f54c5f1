// Timeline tracing (src/tracing/): the Trace Event file is checked against the format (required
// fields, properly nested slices per track, monotonic timestamps, flows that pair up), and the
// terminal timeline of a fixed virtual-time program against its expected drawing.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** Every way `file` breaks the Trace Event format as this library writes it; empty when valid. */
function problemsOf(file: unknown): string[] {
  const problems: string[] = [];
  const data = file as { traceEvents?: unknown };
  if (typeof data !== "object" || data === null || !Array.isArray(data.traceEvents)) return ["no traceEvents array"];
  const events = data.traceEvents as Record<string, unknown>[];
  const flows = new Map<unknown, { s: number; f: number; sTs: number; fTs: number }>();
  const slices = new Map<unknown, { ts: number; end: number }[]>();
  let lastTs = Number.NEGATIVE_INFINITY;
  events.forEach((e, i) => {
    const where = `event ${i} (${String(e.ph)} ${String(e.name)})`;
    for (const key of ["name", "ph", "pid", "tid"]) if (e[key] === undefined) problems.push(`${where}: no ${key}`);
    if (typeof e.ts !== "number" || !Number.isFinite(e.ts)) problems.push(`${where}: ts is not a number`);
    const ts = e.ts as number;
    switch (e.ph) {
      case "M":
        if (typeof e.args !== "object" || e.args === null) problems.push(`${where}: metadata without args`);
        return;
      case "X": {
        if (typeof e.dur !== "number" || (e.dur as number) < 0) problems.push(`${where}: X without a duration`);
        const list = slices.get(e.tid) ?? [];
        list.push({ ts, end: ts + (e.dur as number) });
        slices.set(e.tid, list);
        break;
      }
      case "s":
      case "f": {
        const flow = flows.get(e.id) ?? { s: 0, f: 0, sTs: 0, fTs: 0 };
        if (e.ph === "s") {
          flow.s++;
          flow.sTs = ts;
        } else {
          flow.f++;
          flow.fTs = ts;
          if (e.bp !== "e") problems.push(`${where}: flow end not bound to its enclosing slice`);
        }
        flows.set(e.id, flow);
        break;
      }
      case "i":
        if (e.s !== "t") problems.push(`${where}: instant without track scope`);
        break;
      default:
        problems.push(`${where}: unexpected phase`);
    }
    if (ts < lastTs) problems.push(`${where}: timestamp ${ts} goes back from ${lastTs}`);
    lastTs = ts;
  });
  for (const [id, flow] of flows) {
    if (flow.s !== 1 || flow.f !== 1) problems.push(`flow ${String(id)}: ${flow.s} starts and ${flow.f} ends`);
    else if (flow.fTs < flow.sTs) problems.push(`flow ${String(id)}: ends before it starts`);
  }
  // Complete slices of one track must nest like balanced begin/end pairs: no partial overlap.
  for (const [tid, list] of slices) {
    const stack: { ts: number; end: number }[] = [];
    for (const slice of list) {
      while (stack.length > 0 && (stack[stack.length - 1] as { end: number }).end <= slice.ts && slice.end > slice.ts) {
        stack.pop();
      }
      while (stack.length > 0 && (stack[stack.length - 1] as { end: number }).end < slice.ts) stack.pop();
      const top = stack[stack.length - 1];
      if (top !== undefined && slice.end > top.end) {
        problems.push(`track ${String(tid)}: slice [${slice.ts}, ${slice.end}] overlaps [${top.ts}, ${top.end}]`);
      }
      stack.push(slice);
    }
  }
  const named = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.tid));
  for (const tid of slices.keys()) if (!named.has(tid)) problems.push(`track ${String(tid)} has no thread_name`);
  return problems;
}

function* work(delay: number, failure?: string): asyncio.Coroutine<string> {
  yield* asyncio.sleep(delay);
  if (failure !== undefined) throw new asyncio.ValueError(failure);
  return `slept ${delay}`;
}

/** The fixed program: a gather, a cancelled task, a failing task, all on virtual time. */
function* program(): asyncio.Coroutine<void> {
  const victim = asyncio.createTask(work(10), { name: "victim" });
  yield* asyncio.gather(
    asyncio.createTask(work(2), { name: "fetch-a" }),
    asyncio.createTask(work(1), { name: "fetch-b" }),
  );
  victim.cancel();
  try {
    yield* victim;
  } catch (error) {
    if (!asyncio.isCancelledError(error)) throw error;
  }
  try {
    yield* asyncio.createTask(work(0.5, "bad input"), { name: "parse" });
  } catch {
    // The failure is part of the picture.
  }
}

async function traced(main: () => asyncio.Coroutine<unknown>, options: asyncio.TracingOptions = {}) {
  const loop = new VirtualTimeLoop();
  asyncio.startTracing(loop, options);
  const task = loop.createTask(main(), { name: "main" });
  try {
    await loop.runUntilComplete(task);
  } finally {
    loop.close();
  }
  return asyncio.stopTracing(loop);
}

describe("the trace file", () => {
  it("is valid Trace Event JSON: required fields, nested slices per track, monotonic times, paired flows", async () => {
    const trace = await traced(program);
    const file = JSON.parse(JSON.stringify(trace));
    assert.deepEqual(problemsOf(file), []);
    assert.equal(file.displayTimeUnit, "ms");
    assert.equal(file.otherData.droppedEvents, 0);
  });

  it("has a validator that catches what it checks", () => {
    const good = { name: "step", ph: "X", ts: 0, dur: 5, pid: 1, tid: 1 };
    const name = { name: "thread_name", ph: "M", ts: 0, pid: 1, tid: 1, args: { name: "t" } };
    assert.deepEqual(problemsOf({ traceEvents: [name, good] }), []);
    assert.equal(problemsOf({ traceEvents: [name, { ...good, dur: undefined }] }).length, 1);
    assert.equal(problemsOf({ traceEvents: [name, good, { ...good, ts: 3, dur: 10 }] }).length, 1);
    assert.equal(problemsOf({ traceEvents: [name, { ...good, ts: 4 }, { ...good, ts: 2 }] }).length, 1);
    assert.equal(
      problemsOf({ traceEvents: [name, good, { name: "f", ph: "s", id: 1, ts: 0, pid: 1, tid: 1 }] }).length,
      1,
    );
    assert.equal(problemsOf({ traceEvents: [good] }).length, 1);
  });

  it("has one named track per Task, in creation order, each with its lifetime and outcome", async () => {
    const trace = await traced(program);
    const names = trace.events.filter((e) => e.name === "thread_name").map((e) => [e.tid, e.args?.name]);
    assert.deepEqual(names, [
      [1, "main"],
      [2, "victim"],
      [3, "fetch-a"],
      [4, "fetch-b"],
      [5, "parse"],
    ]);
    const outcomes = trace.events
      .filter((e) => e.cat === "task")
      .sort((a, b) => a.tid - b.tid)
      .map((e) => [e.name, e.ts / 1e6, (e.ts + (e.dur ?? 0)) / 1e6, e.args?.state]);
    assert.deepEqual(outcomes, [
      ["main", 0, 2.5, "finished"],
      ["victim", 0, 2, "cancelled"],
      ["fetch-a", 0, 2, "finished"],
      ["fetch-b", 0, 1, "finished"],
      ["parse", 2, 2.5, "failed"],
    ]);
    assert.equal(trace.events.find((e) => e.name === "parse")?.args?.exception, "ValueError: bad input");
  });

  it("names each wait after what the Task awaited, and marks the cancellation request", async () => {
    const trace = await traced(program);
    const waits = trace.events
      .filter((e) => e.cat === "await" && e.tid === 1)
      .sort((a, b) => a.ts - b.ts || a.ts + (a.dur ?? 0) - (b.ts + (b.dur ?? 0)))
      .map((e) => e.name);
    assert.deepEqual(waits, ["scheduled", "await gather (2 children)", "await Task 'victim'", "await Task 'parse'"]);
    const cancels = trace.events.filter((e) => e.ph === "i");
    assert.deepEqual(
      cancels.map((e) => [e.name, e.tid, e.ts / 1e6]),
      [["cancel", 2, 2]],
    );
  });

  it("draws flow arrows from the creating Task to each new Task, named after gather, TaskGroup or createTask", async () => {
    const trace = await traced(function* () {
      yield* asyncio.gather(work(1), work(2));
      yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        tg.createTask(work(1));
      });
      yield* asyncio.createTask(work(1));
    });
    assert.deepEqual(problemsOf(JSON.parse(JSON.stringify(trace))), []);
    const starts = trace.events.filter((e) => e.ph === "s").map((e) => [e.name, e.tid]);
    assert.deepEqual(starts, [
      ["gather", 1],
      ["gather", 1],
      ["TaskGroup", 1],
      ["createTask", 1],
    ]);
    const ends = trace.events.filter((e) => e.ph === "f").map((e) => [e.name, e.tid]);
    assert.deepEqual(ends, [
      ["gather", 2],
      ["gather", 3],
      ["TaskGroup", 4],
      ["createTask", 5],
    ]);
  });

  it("shows Tasks still pending when tracing stops as pending, and Tasks older than the trace as such", async () => {
    const loop = new VirtualTimeLoop();
    const old = loop.createTask(work(5), { name: "old" });
    await loop.runUntilComplete(asyncio.sleep(1));
    asyncio.startTracing(loop);
    const young = loop.createTask(work(5), { name: "young" });
    await loop.runUntilComplete(asyncio.sleep(2));
    const trace = asyncio.stopTracing(loop);
    old.cancel();
    young.cancel();
    await loop.runUntilComplete(asyncio.sleep(0));
    loop.close();
    assert.deepEqual(problemsOf(JSON.parse(JSON.stringify(trace))), []);
    const lifetimes = Object.fromEntries(trace.events.filter((e) => e.cat === "task").map((e) => [e.name, e.args]));
    assert.deepEqual(lifetimes.young, { state: "pending" });
    assert.deepEqual(lifetimes.old, { state: "pending", createdBeforeTracing: true });
    assert.equal(trace.startTime, 1);
  });

  it("keeps at most bufferSize events, drops the oldest, and says so in a metadata event", async () => {
    const trace = await traced(
      function* () {
        for (let round = 0; round < 20; round++) yield* asyncio.gather(work(1), work(2), work(3));
      },
      { bufferSize: 50 },
    );
    const recorded = trace.events.filter((e) => e.ph !== "M");
    assert.ok(recorded.length <= 50, `${recorded.length} events`);
    assert.ok(trace.dropped > 0);
    const note = trace.events.find((e) => e.ph === "M" && e.name === "trace_events_dropped");
    assert.deepEqual(note?.args, { dropped: trace.dropped, bufferSize: 50 });
    const label = trace.events.find((e) => e.ph === "M" && e.name === "process_labels");
    assert.match(String(label?.args?.labels), /^\d+ oldest events dropped/);
    assert.deepEqual(problemsOf(JSON.parse(JSON.stringify(trace))), []);
    assert.match(asyncio.formatTimeline(trace), /oldest events were dropped/);
  });

  it("records debug mode and tracing together", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    asyncio.startTracing(loop);
    const task = loop.createTask(work(1), { name: "both" });
    await loop.runUntilComplete(task);
    const trace = asyncio.stopTracing(loop);
    loop.close();
    assert.ok((task._sourceTraceback?.length ?? 0) > 0, "debug mode recorded the creation site");
    assert.deepEqual(
      trace.events.filter((e) => e.cat === "task").map((e) => e.name),
      ["both"],
    );
  });

  it("refuses to start twice, to stop what was not started, a bad bufferSize and a foreign loop", () => {
    const loop = new VirtualTimeLoop();
    asyncio.startTracing(loop);
    assert.equal(asyncio.isTracing(loop), true);
    assert.throws(() => asyncio.startTracing(loop), asyncio.RuntimeError);
    asyncio.stopTracing(loop);
    assert.equal(asyncio.isTracing(loop), false);
    assert.throws(() => asyncio.stopTracing(loop), asyncio.RuntimeError);
    assert.throws(() => asyncio.startTracing(loop, { bufferSize: 0 }), asyncio.ValueError);
    assert.throws(() => asyncio.startTracing(loop, { bufferSize: 2.5 }), asyncio.ValueError);
    assert.throws(() => asyncio.startTracing({} as asyncio.EventLoop), TypeError);
    loop.close();
  });
});

describe("the terminal timeline", () => {
  it("draws the fixed program as expected", async () => {
    const trace = await traced(program);
    assert.equal(
      asyncio.formatTimeline(trace, { width: 41 }),
      [
        "time     0s                                   2.5s",
        "main     █───────────────────────────────█───────█ finished  0s → 2.5s",
        "victim   █───────────────────────────────×         cancelled  0s → 2s",
        "fetch-a  █───────────────────────────────█         finished  0s → 2s",
        "fetch-b  █───────────────█                         finished  0s → 1s",
        "parse                                    █───────█ failed (ValueError: bad input)  2s → 2.5s",
        "         █ step  ─ waiting  × cancel requested",
      ].join("\n"),
    );
  });

  it("draws the same from the trace read back from its file", async () => {
    const trace = await traced(program);
    const reread = asyncio.Trace.fromJSON(JSON.parse(JSON.stringify(trace)));
    assert.equal(asyncio.formatTimeline(reread), asyncio.formatTimeline(trace));
    assert.throws(() => asyncio.Trace.fromJSON({ events: [] }), TypeError);
  });

  it("says so when nothing was traced", () => {
    const loop = new VirtualTimeLoop();
    asyncio.startTracing(loop);
    assert.equal(asyncio.formatTimeline(asyncio.stopTracing(loop)), "(no tasks were traced)");
    loop.close();
  });
});

describe("run() with the trace option", () => {
  const dir = mkdtempSync(join(tmpdir(), "asyncio-ts-trace-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the whole run, shutdown included, to a Trace Event file", async () => {
    const path = join(dir, "run.json");
    await asyncio.run(program(), { trace: path, loopFactory: () => new VirtualTimeLoop() });
    const file = JSON.parse(readFileSync(path, "utf8"));
    assert.deepEqual(problemsOf(file), []);
    const trace = asyncio.Trace.fromJSON(file);
    const tasks = trace.events.filter((e) => e.cat === "task").map((e) => e.name);
    assert.deepEqual(tasks.slice(1).sort(), ["fetch-a", "fetch-b", "parse", "victim"]);
  });

  it("writes the HTML timeline when the path ends in .html, with the ring buffer size given", async () => {
    const path = join(dir, "run.html");
    await asyncio.run(program(), { trace: { path, bufferSize: 1000 }, loopFactory: () => new VirtualTimeLoop() });
    const html = readFileSync(path, "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/class="task-row"/g) ?? []).length, 5);
  });

  it("refuses a trace option that is neither a path nor { path }", () => {
    assert.throws(() => new asyncio.Runner({ trace: 42 as never }), TypeError);
  });
});
