// The modules a worker may import: those it was started with, and no other.
//
// Design note. A job names the module its producer referred to, as a `file:` URL on the
// producer's machine. A worker on another machine has the same code somewhere else, and a worker
// run from the sources has `tasks.ts` where the producer's build says `tasks.js`. So a job's module
// matches an allowed one when the URLs are equal, else when exactly one allowed module has the same
// file name up to its extension (`.js`, `.ts`, `.mjs`, ...), the longest shared tail of the path
// breaking a tie. Whatever a job says, only a module on the list is ever imported.

import { basename, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ModuleNotAllowedError } from "./errors.ts";

const EXTENSION = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

function stem(path: string): string {
  return basename(path).replace(EXTENSION, "");
}

/** The path segments of a `file:` URL (or of anything else, split on slashes), last first. */
function segmentsFromEnd(url: string): string[] {
  let path = url;
  try {
    path = fileURLToPath(url);
  } catch {
    // Not a file URL: compare what it has; it can only match through its file name.
  }
  return path.replace(EXTENSION, "").split(/[\\/]/).reverse();
}

function sharedTail(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Turn a `--module` value into a `file:` URL: a path is resolved against `base`, a `file:` URL is
 * kept. Anything else (a package name, an `http:` URL) is refused: the allowlist names files.
 */
export function toAllowedModule(module: string | URL, base: string = process.cwd()): string {
  if (module instanceof URL || module.startsWith("file:")) {
    const url = new URL(module);
    if (url.protocol !== "file:") throw new TypeError(`an allowed module must be a file, got ${url.href}`);
    return url.href;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) {
    throw new TypeError(`an allowed module must be a file path or a file: URL, got ${module}`);
  }
  return pathToFileURL(resolve(base, module)).href;
}

/** The modules a worker may import, and the matching of a job's module against them. */
export class ModuleAllowlist {
  readonly #modules: readonly string[];

  /** Allow `modules` (paths, resolved against `base`, or `file:` URLs). */
  constructor(modules: readonly (string | URL)[], base?: string) {
    this.#modules = [...new Set(modules.map((module) => toAllowedModule(module, base)))];
  }

  /** The allowed modules, as `file:` URLs. */
  get modules(): readonly string[] {
    return this.#modules;
  }

  /**
   * Return the allowed module that a job's `requested` module stands for.
   *
   * @throws {ModuleNotAllowedError} when no allowed module matches, or several match equally well.
   */
  resolve(requested: string): string {
    if (this.#modules.includes(requested)) return requested;
    const wanted = segmentsFromEnd(requested);
    const candidates = this.#modules.filter((module) => stem(fileURLToPath(module)) === wanted[0]);
    if (candidates.length === 1) return candidates[0] as string;
    const allowed = this.#modules.join(", ");
    if (candidates.length === 0) {
      throw new ModuleNotAllowedError(
        `the worker refuses to import ${requested}: it is not on its allowlist (${allowed}); ` +
          "start the worker with --module pointing at that module to allow it",
        requested,
        this.#modules,
      );
    }
    const scored = candidates.map((module) => ({ module, score: sharedTail(wanted, segmentsFromEnd(module)) }));
    scored.sort((a, b) => b.score - a.score);
    if ((scored[0] as { score: number }).score > (scored[1] as { score: number }).score) {
      return (scored[0] as { module: string }).module;
    }
    throw new ModuleNotAllowedError(
      `the worker cannot tell which of its allowed modules ${candidates.join(", ")} the job's ${requested} is: ` +
        "give the modules different file names, or run the producer and the worker from the same paths",
      requested,
      this.#modules,
    );
  }
}
