// Worker processes for the distributed tests: `asyncio-ts worker` run from the sources under tsx.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = fileURLToPath(new URL("../../src/distributed/cli.ts", import.meta.url));

/** Where the handler modules of the distributed tests are. */
export const FIXTURES = new URL("../fixtures/distributed/", import.meta.url);

/** The path of a fixture module, as a worker's --module takes it. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(name, FIXTURES));
}

/** A worker process started by a test. */
export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolve once its output matches `pattern`; reject after `seconds`. */
  waitFor(pattern: RegExp, seconds?: number): Promise<void>;
  /** Resolves with its exit code and signal once it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The command line that runs `asyncio-ts worker` from the sources. */
export function workerCommand(args: readonly string[]): string[] {
  return ["--conditions=asyncio-ts-source", "--import", "tsx", CLI, "worker", ...args];
}

/** Start `asyncio-ts worker --redis URL ...args` and resolve once it prints that it is ready. */
export async function startWorker(redisUrl: string, args: readonly string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, workerCommand(["--redis", redisUrl, ...args]), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let text = "";
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const worker: WorkerProcess = {
    pid: child.pid as number,
    child,
    output: () => text,
    exited,
    waitFor(pattern, seconds = 60) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(text)) done(null);
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(new Error(`worker ${child.pid} exited before printing ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(
          () => done(new Error(`worker ${child.pid} did not print ${pattern} within ${seconds} s:\n${text}`)),
          seconds * 1000,
        );
        const done = (error: Error | null): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error === null) resolve();
          else reject(error);
        };
        waiters.add(check);
        check();
      });
    },
  };
  await worker.waitFor(/ready: queue/);
  return worker;
}

/** Kill, by pid, the workers that are still running, and wait until they are gone. */
export async function killWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.child.exitCode === null && worker.child.signalCode === null) process.kill(worker.pid, "SIGKILL");
      await worker.exited;
    }),
  );
}

/** Resolve once `predicate()` holds, checking every 20 ms; reject after `seconds`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  seconds = 30,
  what = "a condition",
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
