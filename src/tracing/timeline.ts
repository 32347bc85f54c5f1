// formatTimeline(): a Trace drawn as a compact Gantt chart for the terminal.

import type { Trace } from "./trace.ts";
import { formatSeconds, type TaskTrack, tracksOf } from "./tracks.ts";

/** Options of `formatTimeline`. */
export interface TimelineOptions {
  /** Columns of the chart itself, besides names and outcomes (60 by default, at least 10). */
  width?: number;
}

const RUNNING = "█";
const WAITING = "─";
const CANCEL = "×";

/** The outcome column: state, detail for a failure, and the Task's span in seconds. */
function outcome(track: TaskTrack): string {
  const state = track.state === "failed" && track.detail !== "" ? `failed (${track.detail})` : track.state;
  return `${state}  ${formatSeconds(track.start)}s → ${formatSeconds(track.end)}s`;
}

/**
 * Draw `trace` as a Gantt chart: one row per Task, named, with `█` where it ran a step, `─`
 * where it waited, `×` where its cancellation was requested, and how it ended. Time runs left to
 * right, from tracing's start to its last event.
 *
 * @example
 * console.log(asyncio.formatTimeline(asyncio.stopTracing(loop)));
 * // time      0s                                                         2s
 * // main      █──────────────────────────────────────────────────────────█ finished  0s → 2s
 * // Task-2    █──────────────────────────────────────────────────────────█ finished  0s → 2s
 * // Task-3    █─────────────────────────────█                              finished  0s → 1s
 */
export function formatTimeline(trace: Trace, options: TimelineOptions = {}): string {
  const width = Math.max(10, Math.floor(options.width ?? 60));
  const tracks = tracksOf(trace);
  if (tracks.length === 0) return "(no tasks were traced)";
  const t0 = Math.min(...tracks.map((t) => t.start));
  const t1 = Math.max(...tracks.map((t) => t.end));
  const span = t1 - t0;
  const column = (time: number): number =>
    span === 0 ? 0 : Math.min(width - 1, Math.floor(((time - t0) / span) * (width - 1) + 0.5));
  const nameWidth = Math.max(4, ...tracks.map((t) => t.name.length)) + 2;
  const lines: string[] = [];
  const left = `${formatSeconds(t0)}s`;
  const right = `${formatSeconds(t1)}s`;
  const axis = left + " ".repeat(Math.max(1, width - left.length - right.length)) + right;
  lines.push(`${"time".padEnd(nameWidth)}${axis}`);
  for (const track of tracks) {
    const cells: string[] = new Array(width).fill(" ");
    const paint = (from: number, to: number, mark: string, over: string[]): void => {
      for (let c = column(from); c <= column(to); c++) if (!over.includes(cells[c] as string)) cells[c] = mark;
    };
    for (const s of track.segments) if (s.kind === "await") paint(s.start, s.end, WAITING, [RUNNING, CANCEL]);
    for (const s of track.segments) if (s.kind === "step") paint(s.start, s.end, RUNNING, [CANCEL]);
    for (const t of track.cancels) paint(t, t, CANCEL, []);
    lines.push(`${track.name.padEnd(nameWidth)}${cells.join("")} ${outcome(track)}`);
  }
  lines.push(`${"".padEnd(nameWidth)}${RUNNING} step  ${WAITING} waiting  ${CANCEL} cancel requested`);
  if (trace.dropped > 0) lines.push(`(${trace.dropped} oldest events were dropped: raise bufferSize to keep them)`);
  return lines.map((line) => line.trimEnd()).join("\n");
}
