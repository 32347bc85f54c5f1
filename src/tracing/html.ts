// writeTraceHtml(): a Trace as one self-contained HTML file with an SVG Gantt chart.

import { writeFileSync } from "node:fs";
import type { Trace } from "./trace.ts";
import { formatSeconds, type TaskTrack, tracksOf } from "./tracks.ts";

const ROW = 26;
const BAR = 16;
const CHART = 900;
const TOP = 34;

/** The outcomes that have a colour of their own. */
const STATES = new Set(["finished", "failed", "cancelled", "pending"]);

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A step between 1 and 5 times a power of ten, giving about eight ticks over `span`. */
function tickStep(span: number): number {
  if (span <= 0) return 1;
  const raw = span / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

function describeTrack(track: TaskTrack): string {
  const detail = track.detail === "" ? "" : ` (${track.detail})`;
  return `Task '${track.name}' ${track.state}${detail}, ${formatSeconds(track.start)} s → ${formatSeconds(track.end)} s`;
}

/** One element with a `<title>` tooltip and the same text for the details panel. */
function withDetails(tag: string, attributes: string, details: string): string {
  const text = escapeXml(details);
  return `<${tag} ${attributes} data-details="${text}"><title>${text}</title></${tag}>`;
}

/**
 * Render `trace` as a self-contained HTML page (no network, no external file): an SVG Gantt chart
 * with one row per Task, its steps and waits, cancellation marks and its outcome, and the details
 * of each bar on hover.
 */
export function renderTraceHtml(trace: Trace, title = "asyncio-ts timeline"): string {
  const tracks = tracksOf(trace);
  const t0 = tracks.length === 0 ? 0 : Math.min(...tracks.map((t) => t.start));
  const t1 = tracks.length === 0 ? 0 : Math.max(...tracks.map((t) => t.end));
  const span = t1 - t0 || 1e-6;
  const labelWidth = Math.min(260, 16 + 7.5 * Math.max(4, ...tracks.map((t) => t.name.length)));
  const x = (time: number): number => labelWidth + ((time - t0) / span) * CHART;
  const width = labelWidth + CHART + 150;
  const height = TOP + tracks.length * ROW + 10;
  const parts: string[] = [];
  const step = tickStep(span);
  for (let tick = Math.ceil(t0 / step) * step; tick <= t1 + step * 1e-9; tick += step) {
    const at = x(tick).toFixed(1);
    parts.push(
      `<line class="tick" x1="${at}" x2="${at}" y1="${TOP - 6}" y2="${height - 6}"/>`,
      `<text class="axis" x="${at}" y="${TOP - 12}" text-anchor="middle">${formatSeconds(tick)}s</text>`,
    );
  }
  tracks.forEach((track, i) => {
    const y = TOP + i * ROW;
    const bar = y + (ROW - BAR) / 2;
    const row: string[] = [
      `<text class="label" x="${labelWidth - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${escapeXml(track.name)}</text>`,
      withDetails(
        "rect",
        `class="life" x="${x(track.start).toFixed(1)}" y="${bar}" width="${Math.max(1, x(track.end) - x(track.start)).toFixed(1)}" height="${BAR}"`,
        describeTrack(track),
      ),
    ];
    for (const segment of track.segments) {
      const left = x(segment.start);
      const w = Math.max(segment.kind === "step" ? 2 : 1, x(segment.end) - left);
      const what = segment.kind === "step" ? "step" : segment.label;
      const details = `Task '${track.name}': ${what}, ${formatSeconds(segment.start)} s → ${formatSeconds(segment.end)} s (${formatSeconds(segment.end - segment.start)} s)`;
      const inset = segment.kind === "step" ? 0 : 3;
      row.push(
        withDetails(
          "rect",
          `class="${segment.kind}" x="${left.toFixed(1)}" y="${bar + inset}" width="${w.toFixed(1)}" height="${BAR - 2 * inset}"`,
          details,
        ),
      );
    }
    for (const at of track.cancels) {
      const cx = x(at);
      row.push(
        withDetails(
          "path",
          `class="cancel" d="M${(cx - 4).toFixed(1)} ${bar - 2}l8 ${BAR + 4}m0 -${BAR + 4}l-8 ${BAR + 4}"`,
          `Task '${track.name}': cancellation requested at ${formatSeconds(at)} s`,
        ),
      );
    }
    const state = STATES.has(track.state) ? track.state : "pending";
    row.push(
      `<text class="state state-${state}" x="${(x(track.end) + 8).toFixed(1)}" y="${y + ROW / 2 + 4}">${escapeXml(track.state)}</text>`,
    );
    parts.push(
      `<g class="task-row" data-name="${escapeXml(track.name)}" data-state="${escapeXml(track.state)}">${row.join("")}</g>`,
    );
  });
  const dropped =
    trace.dropped > 0
      ? `<p class="note">${trace.dropped} oldest events were dropped: the ring buffer holds ${trace.bufferSize}.</p>`
      : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
body { font: 13px system-ui, sans-serif; margin: 16px; color: #1f2328; background: #fff; }
h1 { font-size: 16px; margin: 0 0 4px; }
p { margin: 0 0 8px; color: #57606a; }
#details { min-height: 1.4em; padding: 4px 8px; border: 1px solid #d0d7de; border-radius: 4px; background: #f6f8fa; font-family: ui-monospace, monospace; }
svg text { font-size: 12px; fill: #1f2328; }
svg text.axis { fill: #57606a; font-size: 11px; }
svg text.state { font-weight: 600; }
svg text.state-finished { fill: #1a7f37; }
svg text.state-failed { fill: #cf222e; }
svg text.state-cancelled { fill: #9a6700; }
svg text.state-pending { fill: #57606a; }
.tick { stroke: #eaeef2; }
.life { fill: #f0f3f6; stroke: #d0d7de; }
.await { fill: #9ec5fe; }
.step { fill: #0550ae; }
.cancel { stroke: #cf222e; stroke-width: 2; fill: none; }
.task-row:hover .life { stroke: #0550ae; }
[data-details]:hover { opacity: 0.8; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p>${tracks.length} tasks over ${formatSeconds(t1 - t0)} s of loop time. Dark: a step running; light: waiting; ×: cancellation requested. Hover a bar for details.</p>
${dropped}<div id="details">Hover a bar for details</div>
<svg xmlns="http://www.w3.org/2000/svg" width="${width.toFixed(0)}" height="${height}" viewBox="0 0 ${width.toFixed(0)} ${height}">
${parts.join("\n")}
</svg>
<script>
const details = document.getElementById("details");
for (const element of document.querySelectorAll("[data-details]")) {
  element.addEventListener("mouseenter", () => { details.textContent = element.getAttribute("data-details"); });
}
</script>
</body>
</html>
`;
}

/**
 * Write `trace` to `path` as a self-contained HTML page: an SVG Gantt chart with one row per Task
 * (names, steps, waits, cancellations, outcomes) and hover details. It needs no network: open it
 * in any browser.
 *
 * @example
 * asyncio.writeTraceHtml(asyncio.stopTracing(loop), "timeline.html");
 * @throws {Error} when the file cannot be written.
 */
export function writeTraceHtml(trace: Trace, path: string): void {
  writeFileSync(path, renderTraceHtml(trace));
}
