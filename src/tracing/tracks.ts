// Tracks: a Trace read back as one row per Task, for the terminal and HTML timelines.

import type { Trace } from "./trace.ts";

/** A part of a Task's life: running a step, or waiting (with what it awaited). */
export interface Segment {
  readonly kind: "step" | "await";
  readonly label: string;
  /** Seconds since tracing started. */
  readonly start: number;
  readonly end: number;
}

/** One Task of a Trace. */
export interface TaskTrack {
  readonly tid: number;
  readonly name: string;
  /** Seconds since tracing started. */
  readonly start: number;
  readonly end: number;
  /** `finished`, `failed`, `cancelled`, or `pending` (still running when tracing stopped). */
  readonly state: string;
  /** The exception of a failed Task, or the result of a finished one, described. */
  readonly detail: string;
  readonly segments: readonly Segment[];
  /** When cancellation was requested, in seconds. */
  readonly cancels: readonly number[];
}

/** Read the tracks of `trace`, in the order the Tasks were first seen. */
export function tracksOf(trace: Trace): TaskTrack[] {
  const rows = new Map<
    number,
    { name: string; start: number; end: number; state: string; detail: string; segments: Segment[]; cancels: number[] }
  >();
  const row = (tid: number) => {
    let found = rows.get(tid);
    if (found === undefined) {
      found = {
        name: `task ${tid}`,
        start: Number.NaN,
        end: Number.NaN,
        state: "pending",
        detail: "",
        segments: [],
        cancels: [],
      };
      rows.set(tid, found);
    }
    return found;
  };
  for (const event of trace.events) {
    if (event.ph === "M") {
      if (event.name === "thread_name" && event.tid > 0) row(event.tid).name = String(event.args?.name ?? "");
      continue;
    }
    const start = event.ts / 1e6;
    const end = (event.ts + (event.dur ?? 0)) / 1e6;
    if (event.ph === "X" && event.cat === "task") {
      const r = row(event.tid);
      r.start = start;
      r.end = end;
      const args = event.args ?? {};
      r.state = String(args.state ?? "pending");
      r.detail =
        args.exception !== undefined ? String(args.exception) : args.result !== undefined ? String(args.result) : "";
    } else if (event.ph === "X" && (event.cat === "step" || event.cat === "await")) {
      row(event.tid).segments.push({ kind: event.cat, label: event.name, start, end });
    } else if (event.ph === "i" && event.cat === "cancel") {
      row(event.tid).cancels.push(start);
    }
  }
  const tracks: TaskTrack[] = [];
  for (const [tid, r] of [...rows].sort((a, b) => a[0] - b[0])) {
    // A Task whose lifetime fell out of the ring buffer spans its surviving segments.
    const times = r.segments.flatMap((s) => [s.start, s.end]).concat(r.cancels);
    const start = Number.isNaN(r.start) ? Math.min(...times) : r.start;
    const end = Number.isNaN(r.end) ? Math.max(...times) : r.end;
    if (!Number.isFinite(start)) continue;
    tracks.push({
      tid,
      name: r.name,
      start,
      end,
      state: r.state,
      detail: r.detail,
      segments: r.segments,
      cancels: r.cancels,
    });
  }
  return tracks;
}

/** Seconds with up to three decimals and no trailing zeros: `2`, `0.5`, `1.25`. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))}`;
}
