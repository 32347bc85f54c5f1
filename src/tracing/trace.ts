// Trace: what `stopTracing` returns, in the Chrome Trace Event format, and how to save it.

import { writeFileSync } from "node:fs";

/** The kinds of Trace Event this library writes: complete slices, instants, flows and metadata. */
export type TracePhase = "X" | "i" | "s" | "f" | "M";

/**
 * One event of the Chrome Trace Event format (the JSON that Perfetto and chrome://tracing load).
 * Times are microseconds of loop time since tracing started.
 */
export interface TraceEvent {
  /** The slice's label: the Task's name, `step`, `await <what>`, `cancel`, or a metadata key. */
  readonly name: string;
  /** The category: `task`, `step`, `await`, `cancel`, `spawn`, or `__metadata`. */
  readonly cat: string;
  /** The phase: `X` a complete slice, `i` an instant, `s`/`f` the ends of a flow arrow, `M` metadata. */
  readonly ph: TracePhase;
  /** When, in microseconds. */
  readonly ts: number;
  /** Always 1: the loop. */
  readonly pid: number;
  /** The track: one per Task, in the order the Tasks were first seen. */
  readonly tid: number;
  /** How long an `X` slice lasted, in microseconds. */
  readonly dur?: number;
  /** The id pairing the two ends of a flow. */
  readonly id?: number;
  /** A flow end binds to the slice enclosing it (`e`). */
  readonly bp?: "e";
  /** An instant's scope: the track (`t`). */
  readonly s?: "t";
  /** Details shown by the viewers. */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** The JSON object a trace file holds (Trace Event format, object form). */
export interface TraceFile {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: "ms";
  readonly otherData: {
    readonly generator: string;
    /** The loop time, in seconds, at which tracing started. */
    readonly startTime: number;
    /** The ring buffer's size, in events. */
    readonly bufferSize: number;
    /** How many of the oldest events the ring buffer dropped. */
    readonly droppedEvents: number;
  };
}

/**
 * A recorded timeline of a loop's Tasks: one track per Task with its steps, its waits (named after
 * what it awaited), cancellation requests and its outcome, plus flow arrows from the Task that
 * created a Task (through gather, a TaskGroup or createTask) to the new Task's first step.
 * Save it with `writeTraceJson` (open the file in https://ui.perfetto.dev or chrome://tracing) or
 * `writeTraceHtml`, or draw it in a terminal with `formatTimeline`.
 *
 * @see startTracing
 */
export class Trace {
  /** Every event, metadata first, then by time (an enclosing slice before what it encloses). */
  readonly events: readonly TraceEvent[];
  /** How many of the oldest events the ring buffer dropped (0 when it never filled). */
  readonly dropped: number;
  /** The ring buffer's size, in events. */
  readonly bufferSize: number;
  /** The loop time, in seconds, at which tracing started; event times count from it. */
  readonly startTime: number;

  /** @internal Use `stopTracing(loop)` or `Trace.fromJSON(data)`. */
  constructor(events: readonly TraceEvent[], dropped: number, bufferSize: number, startTime: number) {
    this.events = Object.freeze(events);
    this.dropped = dropped;
    this.bufferSize = bufferSize;
    this.startTime = startTime;
  }

  /** The Trace Event file's JSON object, so `JSON.stringify(trace)` is the file's content. */
  toJSON(): TraceFile {
    return {
      traceEvents: this.events,
      displayTimeUnit: "ms",
      otherData: {
        generator: "asyncio-ts",
        startTime: this.startTime,
        bufferSize: this.bufferSize,
        droppedEvents: this.dropped,
      },
    };
  }

  /**
   * Read back a trace file's JSON object (as written by `writeTraceJson`).
   *
   * @throws {TypeError} when `data` has no `traceEvents` array.
   */
  static fromJSON(data: unknown): Trace {
    const file = data as Partial<TraceFile> | null;
    if (typeof file !== "object" || file === null || !Array.isArray(file.traceEvents)) {
      throw new TypeError("Trace.fromJSON() expects a Trace Event file's object, with a traceEvents array");
    }
    const other: Partial<TraceFile["otherData"]> = file.otherData ?? {};
    return new Trace([...file.traceEvents], other.droppedEvents ?? 0, other.bufferSize ?? 0, other.startTime ?? 0);
  }
}

/**
 * Write `trace` to `path` as a Trace Event JSON file, for https://ui.perfetto.dev or
 * chrome://tracing.
 *
 * @example
 * asyncio.writeTraceJson(asyncio.stopTracing(loop), "trace.json");
 * @throws {Error} when the file cannot be written.
 */
export function writeTraceJson(trace: Trace, path: string): void {
  writeFileSync(path, `${JSON.stringify(trace)}\n`);
}
