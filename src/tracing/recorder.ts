// The trace recorder: an Instrument that turns Task steps into Trace Events in a ring buffer.
//
// Design note. Every event is a self-contained `X` slice emitted when it ends (a step, a wait, a
// whole Task), so the ring buffer can drop its oldest events without leaving a begin without its
// end. Per-Task state lives in a WeakMap: tracing keeps no Task alive. A Task's lifetime slice is
// emitted last of its events, so a Task whose lifetime survived in the buffer has all its later
// events too. Flows (`s` at the creating Task's step, `f` at the new Task's first step) are
// paired up when the trace is built, dropping an end whose partner fell out of the buffer.

import type { EventLoop, LoopInternals } from "../events.ts";
import { RuntimeError, ValueError } from "../exceptions.ts";
import { CANCELLED, FAILED, type Future } from "../futures.ts";
import { GatheringFuture } from "../gather.ts";
import { isSleepTimer } from "../graph.ts";
import { describe, describeError } from "../internal/format.ts";
import type { Instrument } from "../internal/instrument.ts";
import { _shieldedBy } from "../shield.ts";
import { _taskGroupOf } from "../taskgroups.ts";
import { allTasks, Task } from "../tasks.ts";
import { Trace, type TraceEvent } from "./trace.ts";

/** Options of `startTracing`. */
export interface TracingOptions {
  /**
   * The most events kept: when more are recorded the oldest are dropped, and the trace says how
   * many. 100,000 by default (a few tens of megabytes at most).
   */
  bufferSize?: number;
}

const DEFAULT_BUFFER_SIZE = 100_000;
const PID = 1;

/** A flow from the Task that created another to the new Task's first step. */
interface Spawn {
  id: number;
  ts: number;
  /** The flow's name, decided at the end of the creating step (or by an eager first step). */
  name: string | null;
  child: Task<unknown>;
}

interface Track {
  tid: number;
  created: number;
  stepStart: number;
  waitStart: number;
  waitLabel: string;
  /** The flow arriving at this Task's first step, until it has run. */
  incoming: Spawn | null;
  /** Flows started by the step running now. */
  spawned: Spawn[] | null;
  /** Whether the Task existed before tracing started. */
  preexisting: boolean;
}

/** What a Task waits on, as a wait slice's name. */
function waitLabel(waiter: Future<unknown> | null): string {
  if (waiter === null) return "ready";
  if (waiter instanceof Task) return `await Task '${waiter.getName()}'`;
  if (waiter instanceof GatheringFuture) return `await gather (${waiter._children.length} children)`;
  if (_shieldedBy(waiter) !== null) return "await shield";
  if (isSleepTimer(waiter)) return "await sleep";
  return `await ${waiter.constructor.name}`;
}

function round(us: number): number {
  return Math.round(us * 1000) / 1000;
}

/** @internal The instrument `startTracing` attaches to a loop. */
export class TraceRecorder implements Instrument {
  readonly #loop: LoopInternals;
  readonly #ring: (TraceEvent | undefined)[];
  readonly #startTime: number;
  #head = 0;
  #count = 0;
  #dropped = 0;
  #nextTid = 1;
  #nextFlow = 1;
  readonly #tracks = new WeakMap<Task<unknown>, Track>();

  constructor(loop: LoopInternals, bufferSize: number) {
    this.#loop = loop;
    this.#ring = new Array(bufferSize);
    this.#startTime = loop.time();
  }

  #now(): number {
    return round((this.#loop.time() - this.#startTime) * 1e6);
  }

  #push(event: TraceEvent): void {
    const ring = this.#ring;
    ring[this.#head] = event;
    this.#head = (this.#head + 1) % ring.length;
    if (this.#count < ring.length) this.#count++;
    else this.#dropped++;
  }

  /** The Task's track; a Task made before tracing started gets one dating from the start. */
  #track(task: Task<unknown>): Track {
    let track = this.#tracks.get(task);
    if (track === undefined) {
      track = this.#newTrack(0, true);
      this.#tracks.set(task, track);
    }
    return track;
  }

  #newTrack(now: number, preexisting: boolean): Track {
    return {
      tid: this.#nextTid++,
      created: now,
      stepStart: -1,
      waitStart: now,
      waitLabel: preexisting ? "waiting since before tracing" : "scheduled",
      incoming: null,
      spawned: null,
      preexisting,
    };
  }

  futureCreated(_future: Future<unknown>): void {}

  taskCreated(task: Task<unknown>): boolean {
    const now = this.#now();
    const track = this.#newTrack(now, false);
    this.#tracks.set(task, track);
    const creator = this.#loop._currentTask;
    if (creator !== null && creator !== task) {
      const spawn: Spawn = { id: this.#nextFlow++, ts: now, name: null, child: task };
      const parent = this.#track(creator);
      (parent.spawned ??= []).push(spawn);
      track.incoming = spawn;
    }
    return false;
  }

  stepStarted(task: Task<unknown>): void {
    const track = this.#track(task);
    const now = this.#now();
    if (track.waitStart >= 0) {
      this.#push({
        name: track.waitLabel,
        cat: "await",
        ph: "X",
        ts: track.waitStart,
        dur: round(now - track.waitStart),
        pid: PID,
        tid: track.tid,
      });
      track.waitStart = -1;
    }
    const incoming = track.incoming;
    if (incoming !== null) {
      track.incoming = null;
      incoming.name ??= "createTask";
      this.#push({
        name: incoming.name,
        cat: "spawn",
        ph: "f",
        bp: "e",
        id: incoming.id,
        ts: now,
        pid: PID,
        tid: track.tid,
      });
    }
    track.stepStart = now;
  }

  stepEnded(task: Task<unknown>): void {
    const track = this.#track(task);
    const now = this.#now();
    const start = track.stepStart < 0 ? now : track.stepStart;
    this.#push({ name: "step", cat: "step", ph: "X", ts: start, dur: round(now - start), pid: PID, tid: track.tid });
    track.stepStart = -1;
    if (track.spawned !== null) this.#flushSpawns(task, track);
    if (task.done()) {
      this.#pushLifetime(task, track, now, this.#outcome(task));
      this.#tracks.delete(task);
    } else {
      track.waitStart = now;
      track.waitLabel = waitLabel(task._futWaiter);
    }
  }

  #flushSpawns(task: Task<unknown>, track: Track): void {
    const waiter = task._futWaiter;
    for (const spawn of track.spawned as Spawn[]) {
      if (spawn.name === null) {
        if (waiter instanceof GatheringFuture && waiter._children.includes(spawn.child)) spawn.name = "gather";
        else if (_taskGroupOf(spawn.child) !== null) spawn.name = "TaskGroup";
        else spawn.name = "createTask";
      }
      this.#push({ name: spawn.name, cat: "spawn", ph: "s", id: spawn.id, ts: spawn.ts, pid: PID, tid: track.tid });
    }
    track.spawned = null;
  }

  #outcome(task: Task<unknown>): Record<string, unknown> {
    if (task._state === CANCELLED) return { state: "cancelled" };
    if (task._state === FAILED) return { state: "failed", exception: describeError(task._value) };
    return { state: "finished", result: describe(task._value) };
  }

  #pushLifetime(task: Task<unknown>, track: Track, now: number, outcome: Record<string, unknown>): void {
    this.#push({
      name: task.getName(),
      cat: "task",
      ph: "X",
      ts: track.created,
      dur: round(now - track.created),
      pid: PID,
      tid: track.tid,
      args: track.preexisting ? { ...outcome, createdBeforeTracing: true } : outcome,
    });
  }

  taskDone(_task: Task<unknown>): void {}

  cancelRequested(task: Task<unknown>, msg: string | undefined): void {
    const track = this.#track(task);
    this.#push({
      name: "cancel",
      cat: "cancel",
      ph: "i",
      s: "t",
      ts: this.#now(),
      pid: PID,
      tid: track.tid,
      args: msg === undefined ? {} : { message: msg },
    });
  }

  ownTasks(): Iterable<Task<unknown>> {
    return [];
  }

  detached(): void {}

  /** Close the slices still open (pending Tasks) and build the Trace. */
  finish(): Trace {
    const now = this.#now();
    // Oldest first (the loop lists its newest Task first), so new tracks follow creation order.
    for (const task of [...allTasks(this.#loop)].reverse()) {
      const track = this.#track(task);
      if (track.stepStart >= 0) {
        const start = track.stepStart;
        this.#push({
          name: "step",
          cat: "step",
          ph: "X",
          ts: start,
          dur: round(now - start),
          pid: PID,
          tid: track.tid,
        });
      }
      if (track.spawned !== null) this.#flushSpawns(task, track);
      if (track.waitStart >= 0) {
        const start = track.waitStart;
        this.#push({
          name: track.waitLabel,
          cat: "await",
          ph: "X",
          ts: start,
          dur: round(now - start),
          pid: PID,
          tid: track.tid,
          args: { unfinished: true },
        });
      }
      this.#pushLifetime(task, track, now, { state: "pending" });
    }
    return buildTrace(this.#ordered(), this.#dropped, this.#ring.length, this.#startTime);
  }

  #ordered(): TraceEvent[] {
    const ring = this.#ring;
    const out: TraceEvent[] = [];
    const first = this.#count < ring.length ? 0 : this.#head;
    for (let i = 0; i < this.#count; i++) out.push(ring[(first + i) % ring.length] as TraceEvent);
    return out;
  }
}

/** Sort the events, pair the flows up, and add the metadata: track names and the dropped-events note. */
function buildTrace(recorded: TraceEvent[], dropped: number, bufferSize: number, startTime: number): Trace {
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (const event of recorded) {
    if (event.ph === "s") starts.add(event.id as number);
    else if (event.ph === "f") ends.add(event.id as number);
  }
  const kept = recorded.filter(
    (event) =>
      (event.ph !== "s" && event.ph !== "f") || (starts.has(event.id as number) && ends.has(event.id as number)),
  );
  // Earlier first; at the same time a longer slice first, so that it encloses what follows it.
  kept.sort((a, b) => a.ts - b.ts || (b.dur ?? -1) - (a.dur ?? -1));
  const names = new Map<number, string>();
  for (const event of kept) if (event.cat === "task") names.set(event.tid, event.name);
  for (const event of kept) if (!names.has(event.tid)) names.set(event.tid, `task ${event.tid}`);
  const meta: TraceEvent[] = [
    { name: "process_name", cat: "__metadata", ph: "M", ts: 0, pid: PID, tid: 0, args: { name: "asyncio-ts loop" } },
  ];
  if (dropped > 0) {
    const note = `${dropped} oldest events dropped: the ring buffer holds ${bufferSize}`;
    meta.push(
      { name: "process_labels", cat: "__metadata", ph: "M", ts: 0, pid: PID, tid: 0, args: { labels: note } },
      {
        name: "trace_events_dropped",
        cat: "__metadata",
        ph: "M",
        ts: 0,
        pid: PID,
        tid: 0,
        args: { dropped, bufferSize },
      },
    );
  }
  for (const [tid, name] of [...names].sort((a, b) => a[0] - b[0])) {
    meta.push(
      { name: "thread_name", cat: "__metadata", ph: "M", ts: 0, pid: PID, tid, args: { name } },
      { name: "thread_sort_index", cat: "__metadata", ph: "M", ts: 0, pid: PID, tid, args: { sort_index: tid } },
    );
  }
  return new Trace([...meta, ...kept], dropped, bufferSize, startTime);
}

const recorders = new WeakMap<EventLoop, TraceRecorder>();

interface Instrumentable extends LoopInternals {
  _attachInstrument(instrument: Instrument): void;
  _detachInstrument(instrument: Instrument): void;
}

function instrumentable(loop: EventLoop, caller: string): Instrumentable {
  const candidate = loop as Partial<Instrumentable> | null;
  if (typeof candidate?._attachInstrument !== "function") {
    throw new TypeError(`${caller}() expects an asyncio-ts event loop, got ${describe(loop)}`);
  }
  return loop as Instrumentable;
}

/**
 * Start recording a timeline of `loop`'s Tasks: when each is created (and by which Task), every
 * step, every wait with what it awaits, cancellation requests, and how each ends, on the loop's
 * clock. Stop with `stopTracing(loop)`, which returns the Trace. While tracing is off the loop pays
 * one null check per Task step; while it is on, memory is bounded by `bufferSize` events.
 *
 * `asyncio.run(main(), { trace: "trace.json" })` traces a whole run and saves it.
 *
 * @example
 * const loop = asyncio.newEventLoop();
 * asyncio.startTracing(loop);
 * await loop.runUntilComplete(main());
 * const trace = asyncio.stopTracing(loop);
 * console.log(asyncio.formatTimeline(trace));
 * @throws {RuntimeError} when the loop is already being traced.
 * @throws {ValueError} when `bufferSize` is not a positive integer.
 * @throws {TypeError} when `loop` is not an asyncio-ts loop.
 */
export function startTracing(loop: EventLoop, options: TracingOptions = {}): void {
  const target = instrumentable(loop, "startTracing");
  if (recorders.has(loop)) throw new RuntimeError("This loop is already being traced: call stopTracing(loop) first");
  const size = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
    throw new ValueError(
      `startTracing() bufferSize must be a positive integer number of events, got ${describe(size)}`,
    );
  }
  const recorder = new TraceRecorder(target, size);
  recorders.set(loop, recorder);
  target._attachInstrument(recorder);
}

/**
 * Stop recording `loop`'s timeline and return it. Tasks still pending show as pending up to now.
 *
 * @throws {RuntimeError} when the loop is not being traced.
 */
export function stopTracing(loop: EventLoop): Trace {
  const target = instrumentable(loop, "stopTracing");
  const recorder = recorders.get(loop);
  if (recorder === undefined) throw new RuntimeError("This loop is not being traced: call startTracing(loop) first");
  recorders.delete(loop);
  target._detachInstrument(recorder);
  return recorder.finish();
}

/** Whether `loop` is being traced. */
export function isTracing(loop: EventLoop): boolean {
  return recorders.has(loop);
}
