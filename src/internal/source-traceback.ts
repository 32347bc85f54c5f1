// Creation sites: the stack where a Future, Task or Handle was made, kept in debug mode only.
//
// Design note. Capturing is cheap (V8 records structured frames and formats them only when the
// `stack` string is first read), so a site is captured eagerly and parsed lazily. Until it is
// formatted, a captured stack keeps the receivers of its frames alive, the object being
// constructed included; `formatSite` must run before a site is handed to anything that outlives
// that object (a FinalizationRegistry's held value). The store is a WeakMap, so an object that has
// a site pays nothing for it in its own layout, and objects made outside debug mode have none.

import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One frame of a creation site, oldest first as in Python's `_source_traceback`. */
export interface SourceFrame {
  /** The function's name as the JavaScript stack shows it (`<anonymous>` when it has none). */
  readonly functionName: string;
  /** The file path (or URL) of the frame. */
  readonly fileName: string;
  /** 1-based line number. */
  readonly lineNumber: number;
  /** 1-based column number. */
  readonly columnNumber: number;
}

/** How many frames a site keeps: enough to get past the library's own frames to the caller's. */
const SITE_FRAMES = 40;

/** The library's source (or build) folder: its frames are left off the inner end of a site. */
const LIBRARY_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

interface Site {
  /** The captured stack, until it is parsed. */
  holder: { stack?: string } | null;
  frames: readonly SourceFrame[] | null;
}

const sites = new WeakMap<object, Site>();

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** Parse a V8 stack string into frames, innermost first. Lines without a location are dropped. */
export function parseStack(stack: string): SourceFrame[] {
  const frames: SourceFrame[] = [];
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    frames.push({
      functionName: match[1] ?? "<anonymous>",
      fileName: match[2] as string,
      lineNumber: Number(match[3]),
      columnNumber: Number(match[4]),
    });
  }
  return frames;
}

/** Whether `frame` runs code of asyncio-ts itself (src/ or dist/). */
export function isLibraryFrame(frame: SourceFrame): boolean {
  const file = frame.fileName.startsWith("file://") ? fileURLToPath(frame.fileName) : frame.fileName;
  return file.startsWith(LIBRARY_DIR);
}

/** Capture the current stack now, to be parsed later with `sourceTracebackOf(owner)`. */
export function captureSourceTraceback(owner: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_FRAMES;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  Error.stackTraceLimit = limit;
  sites.set(owner, { holder, frames: null });
}

/**
 * The creation site of `owner`, oldest frame first and the caller that made it last (the
 * library's own frames at the inner end are left off), or null when none was captured.
 */
export function sourceTracebackOf(owner: object): readonly SourceFrame[] | null {
  const site = sites.get(owner);
  if (site === undefined) return null;
  if (site.frames === null) {
    const inner = parseStack(site.holder?.stack ?? "").filter((frame) => !frame.fileName.startsWith("node:"));
    let first = 0;
    while (first < inner.length - 1 && isLibraryFrame(inner[first] as SourceFrame)) first++;
    site.frames = Object.freeze(inner.slice(first).reverse());
    site.holder = null;
  }
  return site.frames;
}

/** ` created at file:line` for a repr, or "" when `owner` has no creation site. */
export function createdAt(owner: object): string {
  const frames = sites.has(owner) ? sourceTracebackOf(owner) : null;
  const last = frames?.[frames.length - 1];
  return last === undefined ? "" : ` created at ${last.fileName}:${last.lineNumber}`;
}

/** Render frames as Python renders a traceback: oldest first, one `File "...", line N, in f` each. */
export function formatSourceTraceback(frames: readonly SourceFrame[]): string {
  return frames
    .map((f) => `  File "${f.fileName}", line ${f.lineNumber}, column ${f.columnNumber}, in ${f.functionName}`)
    .join("\n");
}
