// The systems the bench compares, in table order, and how to start one in a fresh process.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));
export const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
export const CPYTHON_SCRIPT = fileURLToPath(new URL("./workloads/cpython.py", import.meta.url));

/**
 * `id` names the module in workloads/; `deps` are the bench devDependencies it imports. The first
 * is asyncio-ts, `promise` is the baseline of the "× Promise.all" column and `cpython` of "× CPython".
 */
export const SYSTEMS = [
  { id: "asyncio-ts", deps: [] },
  { id: "native", deps: [] },
  { id: "native-immediate", deps: [] },
  { id: "bluebird", deps: ["bluebird"] },
  { id: "effect", deps: ["effect"] },
  { id: "effection", deps: ["effection"] },
  { id: "p-map", deps: ["p-map"] },
  { id: "p-limit", deps: ["p-limit"] },
  { id: "cpython", deps: [], python: true },
];

export const WORKLOADS = {
  W1: "gather of N trivial coroutines (return at once)",
  W2: "gather of N coroutines that each yield once",
  W3: "gather of N coroutines sleeping 10 ms",
  W4: "start N sleeping (10 s) tasks, cancel the gather, time to full teardown",
  W5: "memory per pending sleeping task (heap after GC)",
  W6: "gather with limit 100 of N coroutines sleeping 1 ms",
};

/** The version of a bench dependency, or null when it is not installed. */
export function depVersion(name) {
  const path = `${BENCH_DIR}node_modules/${name}/package.json`;
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")).version : null;
}

/** Whether every dependency of `system` is installed under bench/node_modules. */
export function depsInstalled(system) {
  return system.deps.every((name) => depVersion(name) !== null);
}

/**
 * Find CPython: `BENCH_PYTHON` (a path, or `none` to skip it), else `python3` with
 * `PYENV_VERSION=3.13.0` (this machine's pyenv). Return `{ executable, version }` with the
 * interpreter's real path, so runs do not pay for the pyenv shim, or null when there is none.
 */
export function findPython() {
  const wanted = process.env.BENCH_PYTHON;
  if (wanted === "none") return null;
  const r = spawnSync(
    wanted || "python3",
    ["-c", "import sys, json; print(json.dumps([sys.executable, sys.version.split()[0]]))"],
    { encoding: "utf8", env: { ...process.env, PYENV_VERSION: process.env.PYENV_VERSION ?? "3.13.0" } },
  );
  if (r.status !== 0 || !r.stdout) return null;
  const [executable, version] = JSON.parse(r.stdout);
  return { executable, version };
}

/** The environment of a measured process: no debug switches that would slow any system down. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env, NODE_ENV: "production", ...extra };
  for (const key of [
    "NODE_OPTIONS",
    "ASYNCIO_TS_DEBUG",
    "BLUEBIRD_DEBUG",
    "BLUEBIRD_LONG_STACK_TRACES",
    "BLUEBIRD_WARNINGS",
    "PYTHONASYNCIODEBUG",
    "PYTHONDEVMODE",
    "PYTHONTRACEMALLOC",
  ]) {
    delete env[key];
  }
  return env;
}

/** Heap limit for every measured Node process alike: a million pending tasks outgrow the default. */
const HEAP_MB = 8192;

/**
 * Start `system` in a fresh process with worker arguments `args` and resolve with its parsed JSON
 * report, or `{ failed: reason }` when it crashed, printed nothing or ran past `timeoutMs`.
 */
export function runWorker(system, args, { python = null, nodeFlags = [], env = {}, timeoutMs = 300_000 } = {}) {
  const [cmd, argv] = system.python
    ? [python.executable, [CPYTHON_SCRIPT, ...args]]
    : [
        process.execPath,
        ["--expose-gc", `--max-old-space-size=${HEAP_MB}`, ...nodeFlags, WORKER, "--system", system.id, ...args],
      ];
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop();
      if (timedOut) return resolve({ failed: `timed out after ${Math.round(timeoutMs / 1000)} s` });
      try {
        return resolve(JSON.parse(line));
      } catch {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        return resolve({ failed: `${why}: ${(stderr || stdout).trim().split("\n").slice(-3).join(" | ")}` });
      }
    });
  });
}
