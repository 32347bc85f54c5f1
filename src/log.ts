// The library's logger, as asyncio's `asyncio.log.logger`: where debug-mode warnings go.

import { formatSourceTraceback, type SourceFrame } from "./internal/source-traceback.ts";

/** How serious a log record is, as Python's logging levels. */
export type LogLevel = "debug" | "info" | "warning" | "error";

/** One message of the logger, as a handler receives it. */
export interface LogRecord {
  /** How serious it is. */
  readonly level: LogLevel;
  /** The message, complete (`Executing <Task ...> took 0.123 seconds`). */
  readonly message: string;
  /** What the message is about: the Task or Handle, a duration, a creation site. */
  readonly details: LogDetails;
}

/** The structured part of a log record; every key is optional. */
export interface LogDetails {
  /** The Task the message is about. */
  readonly task?: unknown;
  /** The Handle (or other ready callback) the message is about. */
  readonly handle?: unknown;
  /** A duration in seconds (of a slow callback). */
  readonly duration?: number;
  /** Where the object the message is about was created (debug mode). */
  readonly sourceTraceback?: readonly SourceFrame[];
  readonly [key: string]: unknown;
}

/** A function that receives every record of the logger instead of standard error. */
export type LogHandler = (record: LogRecord) => void;

/**
 * The logger asyncio-ts writes its debug-mode warnings to (slow callbacks, coroutines never
 * awaited). Without a handler, warnings and errors go to standard error and the lower levels are
 * dropped, as Python's logging does when unconfigured. Install a handler to capture them, in a
 * test or in your own logging.
 *
 * @example
 * const records: asyncio.LogRecord[] = [];
 * const previous = asyncio.logger.setHandler((record) => records.push(record));
 * try {
 *   await asyncio.run(main(), { debug: true });
 * } finally {
 *   asyncio.logger.setHandler(previous);
 * }
 * @see asyncio.log.logger
 */
export class Logger {
  #handler: LogHandler | null = null;

  /**
   * Send every record to `handler` (or back to standard error with `null`); return the handler
   * that was installed before, to restore it later.
   *
   * @throws {TypeError} when `handler` is neither a function nor null.
   */
  setHandler(handler: LogHandler | null): LogHandler | null {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`setHandler() expects a function or null, got ${typeof handler}`);
    }
    const previous = this.#handler;
    this.#handler = handler;
    return previous;
  }

  /** The handler records go to, or null for standard error. */
  getHandler(): LogHandler | null {
    return this.#handler;
  }

  /** Log a debugging message (dropped without a handler). */
  debug(message: string, details: LogDetails = {}): void {
    this.#emit("debug", message, details);
  }

  /** Log an informational message (dropped without a handler). */
  info(message: string, details: LogDetails = {}): void {
    this.#emit("info", message, details);
  }

  /** Log a warning: something is probably wrong but the program goes on. */
  warning(message: string, details: LogDetails = {}): void {
    this.#emit("warning", message, details);
  }

  /** Log an error. */
  error(message: string, details: LogDetails = {}): void {
    this.#emit("error", message, details);
  }

  #emit(level: LogLevel, message: string, details: LogDetails): void {
    const handler = this.#handler;
    if (handler !== null) {
      handler({ level, message, details });
      return;
    }
    if (level === "debug" || level === "info") return;
    const site = details.sourceTraceback;
    const text =
      site !== undefined && site.length > 0
        ? `${message}\nObject created at (most recent call last):\n${formatSourceTraceback(site)}`
        : message;
    console.error(`asyncio-ts ${level.toUpperCase()}: ${text}`);
  }
}

/**
 * The library's logger.
 *
 * @see asyncio.log.logger
 */
export const logger: Logger = new Logger();
