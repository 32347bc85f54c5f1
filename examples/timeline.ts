// The tutorial's gather program, traced: prints its timeline in the terminal and saves the trace
// as trace.json (or the path given as the first argument) for Perfetto or chrome://tracing.
//
//   npx tsx examples/timeline.ts [trace.json]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as asyncio from "asyncio-ts";
import { isMain } from "./is-main.ts";
import * as gatherExample from "./tutorial/1_gather.ts";

/**
 * Run the tutorial's first program with `run(main(), { trace })`, print its timeline, and say how
 * to open the trace file. `options` go to `run()` as well (a virtual-time loop, debug mode...).
 */
export async function main(path = "trace.json", options: asyncio.RunOptions = {}): Promise<asyncio.Trace> {
  await asyncio.run(gatherExample.main(), { ...options, trace: path });
  const trace = asyncio.Trace.fromJSON(JSON.parse(readFileSync(path, "utf8")));
  console.log("\nTimeline of the run (loop time; one row per Task):");
  console.log(asyncio.formatTimeline(trace));
  console.log(
    `\nWrote ${resolve(path)}: open it in https://ui.perfetto.dev ("Open trace file") or chrome://tracing ("Load").`,
  );
  return trace;
}

if (isMain(import.meta.url)) await main(process.argv[2]);
