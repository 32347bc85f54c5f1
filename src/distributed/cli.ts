// The `asyncio-ts` command: `asyncio-ts worker ...` runs a distributed worker until SIGTERM or Ctrl-C.
//
// Installed, `npx asyncio-ts worker ...` runs the built dist/ through bin/asyncio-ts.mjs. From a
// checkout without a build: `node --conditions=asyncio-ts-source --import tsx src/distributed/cli.ts worker ...`.

import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { describeError } from "../internal/format.ts";
import { DistributedWorker, type DistributedWorkerOptions } from "./worker.ts";

/** The command's help text. */
export const USAGE = `usage: asyncio-ts worker --queue NAME --module PATH [options]

Take jobs that DistributedExecutors put in a BullMQ queue in Redis and run them.

  --redis URL             Redis to connect to (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue NAME            the queue to take jobs from; repeat it to serve several queues
  --module PATH           a module whose exported functions jobs may call (the compiled .js of
                          a TypeScript project); repeat it to allow several. Nothing else is imported.
  --concurrency N         jobs of each queue run at a time (default: --threads, else 1)
  --threads N             run jobs on N worker threads, for CPU-bound handlers; a cancelled
                          job's thread is terminated (default: run them on the worker's own thread)
  --grace SECONDS         on SIGTERM, how long running jobs may take to finish before they are
                          handed back to the queue (default 20); a second signal hands them back at once
  --lock-duration SECONDS how long a silent worker keeps its jobs before they count as stalled (default 30)
  --stalled-interval SECONDS  how often to look for jobs of dead workers (default 30)
  --max-stalled N         how many times a job may lose its worker before it fails (default 1)
  --prefix PREFIX         BullMQ's key prefix (default bull)
  --verbose               print a line per job
  --help                  print this help
`;

/** Parse the arguments of `asyncio-ts worker` into worker options. */
export function parseWorkerArgs(argv: readonly string[]): DistributedWorkerOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      redis: { type: "string" },
      queue: { type: "string", multiple: true },
      module: { type: "string", multiple: true },
      concurrency: { type: "string" },
      threads: { type: "string" },
      grace: { type: "string" },
      "lock-duration": { type: "string" },
      "stalled-interval": { type: "string" },
      "max-stalled": { type: "string" },
      prefix: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new TypeError(`unexpected argument ${positionals[0]}`);
  if (values.queue === undefined) throw new TypeError("--queue is required: the queue to take jobs from");
  if (values.module === undefined) {
    throw new TypeError("--module is required: the worker imports only the modules it is given");
  }
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value)) throw new TypeError(`--${flag} expects a number, got ${text}`);
    return value;
  };
  const options: DistributedWorkerOptions = { queue: values.queue, modules: values.module, verbose: values.verbose };
  const extra: Partial<Record<keyof DistributedWorkerOptions, unknown>> = {
    redis: values.redis,
    prefix: values.prefix,
    concurrency: number("concurrency", values.concurrency),
    threads: number("threads", values.threads),
    grace: number("grace", values.grace),
    lockDuration: number("lock-duration", values["lock-duration"]),
    stalledInterval: number("stalled-interval", values["stalled-interval"]),
    maxStalledCount: number("max-stalled", values["max-stalled"]),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  return options;
}

/**
 * Run the `asyncio-ts` command with `argv` (the arguments after the program name) and resolve
 * with its exit code: 0 after a worker shut down on SIGTERM or SIGINT, 2 for a usage error, 1 when
 * the worker could not start.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== "worker") {
    process.stderr.write(`asyncio-ts: unknown command ${command}\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let worker: DistributedWorker;
  try {
    worker = new DistributedWorker(parseWorkerArgs(rest));
  } catch (error) {
    process.stderr.write(
      `asyncio-ts worker: ${error instanceof Error ? error.message : describeError(error)}\n\n${USAGE}`,
    );
    return 2;
  }
  let signals = 0;
  let signalled = (): void => {};
  const stopping = new Promise<void>((resolve) => {
    signalled = resolve;
  });
  const onSignal = (): void => {
    signals++;
    // The first signal shuts down gracefully; another one hands the running jobs back at once.
    if (signals === 1) signalled();
    else worker.handBack();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    await worker.start();
  } catch (error) {
    process.stderr.write(`asyncio-ts worker: ${error instanceof Error ? error.message : describeError(error)}\n`);
    await worker.close({ grace: 0 });
    return 1;
  }
  await stopping;
  await worker.close();
  return 0;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

// Started as a script (from the sources): run, and exit with the command's code even if a
// handed-back handler still holds a timer.
if (isEntryPoint()) process.exit(await main(process.argv.slice(2)));
