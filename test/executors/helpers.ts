// Shared pieces of the executor tests: the worker functions of the fixtures, and real-time waits.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "asyncio-ts";

/** The URL of test/fixtures/work.js, which workers import. */
export const WORK_URL = new URL("../fixtures/work.js", import.meta.url);

/** Every function of work.js as a typed task reference. */
export const work = asyncio.taskModule<typeof import("../fixtures/work.js")>(WORK_URL);

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory for the trace files jobs write, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "asyncio-ts-executors-"));
  made.push(dir);
  return dir;
}

/** The lines of a trace file, or [] when no job wrote it yet. */
export function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Poll `condition` on the real loop every 10 ms until it holds; fail after `seconds`. Workers run
 * in real time, so these tests wait for them in real time too.
 */
export function* until(condition: () => boolean, seconds = 20): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const deadline = loop.time() + seconds;
  while (!condition()) {
    if (loop.time() > deadline) throw new Error(`condition not met within ${seconds} s: ${condition}`);
    yield* asyncio.sleep(0.01);
  }
}

/** Run `main` on a new real loop, as a program would. */
export function run<T>(main: () => asyncio.Coroutine<T>): Promise<T> {
  return asyncio.run(main());
}
