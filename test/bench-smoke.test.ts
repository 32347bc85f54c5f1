// The bench cannot rot: every workload of every system runs at N = 100 and its results are checked.
//
// Each system runs in a fresh process through bench/worker.mjs, exactly as `npm run bench` runs it,
// except that asyncio-ts is loaded from src/ (through tsx) rather than from a build. The worker
// checks every run itself (results in argument order, every `finally` ran and the gather ended
// cancelled for W4, every task pending when the heap was measured for W5, at most 100 children at
// once for W6) and reports a failed check as an error; these tests assert that no cell is an error.
// Nothing here looks at a timing.
//
// The peers come from bench/node_modules (`npm ci --prefix bench`, which .ci/run does). Without
// them their tests are skipped, unless REQUIRE_BENCH_DEPS=1 (set by .ci/run) makes that a failure.
// CPython runs when `python3` (PYENV_VERSION=3.13.0) is found.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const N = 100;
const WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6"] as const;

interface Cell {
  workload: string;
  n: number;
  status: "ok" | "n/a" | "error";
  reason?: string;
  error?: string;
  probe?: string;
  hostTimers?: number;
  runs?: Record<string, number>[];
}

interface Report {
  system: string;
  label: string;
  cells: Cell[];
}

interface System {
  id: string;
  deps: string[];
  /** Workloads this system does not offer, as its module declares. */
  notOffered: string[];
}

const SYSTEMS: System[] = [
  { id: "asyncio-ts", deps: [], notOffered: [] },
  { id: "native", deps: [], notOffered: [] },
  { id: "native-immediate", deps: [], notOffered: ["W1", "W3", "W4", "W5", "W6"] },
  { id: "bluebird", deps: ["bluebird"], notOffered: [] },
  { id: "effect", deps: ["effect"], notOffered: [] },
  { id: "effection", deps: ["effection"], notOffered: ["W6"] },
  { id: "p-map", deps: ["p-map"], notOffered: ["W4"] },
  { id: "p-limit", deps: ["p-limit"], notOffered: ["W1", "W2", "W3", "W4", "W5"] },
];

/** Every workload at N = 100; W5 holds its tasks 50 ms, then lets them finish and checks their results too. */
function plan(withProbe: boolean): object[] {
  const steps: object[] = WORKLOADS.map((workload) => ({ workload, n: N, runs: 1, holdSeconds: 0.05 }));
  if (withProbe) steps.push({ workload: "W3", n: N, probeTimers: true, probeSleepMs: 100 });
  return steps;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", ...extra };
  // The test runner's own context must not leak into the worker, nor any debug switch.
  for (const key of ["NODE_OPTIONS", "NODE_TEST_CONTEXT", "ASYNCIO_TS_DEBUG", "PYTHONASYNCIODEBUG"]) delete env[key];
  return env;
}

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as Report);
      } catch {
        reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} exited ${code} without a report:\n${stderr || stdout}`));
      }
    });
  });
}

const reports = new Map<string, Promise<Report>>();

/** Run `system`'s plan once; the host-timer test reuses the report of asyncio-ts's run. */
function runNodeSystem(system: System): Promise<Report> {
  let report = reports.get(system.id);
  if (report === undefined) {
    report = spawnNodeSystem(system);
    reports.set(system.id, report);
  }
  return report;
}

function spawnNodeSystem(system: System): Promise<Report> {
  const worker = `${root}bench/worker.mjs`;
  const args = ["--expose-gc", worker, "--system", system.id, "--plan", JSON.stringify(plan(true))];
  if (system.id !== "asyncio-ts") return runProcess(process.execPath, args, childEnv());
  // The smoke test checks the sources under test, not whatever dist/ was last built.
  const env = childEnv({ BENCH_ASYNCIO_TS_ENTRY: `${root}src/index.ts` });
  return runProcess(process.execPath, ["--import", "tsx", ...args], env);
}

/** Assert that every workload of `report` is ok, or not offered for a reason the system declares. */
function assertAllChecked(report: Report, notOffered: readonly string[]): void {
  for (const workload of WORKLOADS) {
    const cell = report.cells.find((c) => c.workload === workload && c.probe === undefined);
    assert.ok(cell, `${report.system} reported nothing for ${workload}`);
    assert.notEqual(cell.status, "error", `${report.system} ${workload} failed its check: ${cell.error}`);
    if (notOffered.includes(workload)) {
      assert.equal(cell.status, "n/a", `${report.system} ${workload} was expected to be n/a`);
    } else {
      // asyncio-ts included: its W6 is n/a only in a build without gather's `limit` option.
      assert.equal(cell.status, "ok", `${report.system} ${workload} is ${cell.status}: ${cell.reason}`);
      assert.ok((cell.runs?.length ?? 0) > 0, `${report.system} ${workload} reported no run`);
    }
  }
}

function installed(name: string): boolean {
  return existsSync(`${root}bench/node_modules/${name}/package.json`);
}

describe("bench smoke test (every workload at N = 100, results checked)", () => {
  for (const system of SYSTEMS) {
    const missing = system.deps.filter((dep) => !installed(dep));
    const skip =
      missing.length > 0 && process.env.REQUIRE_BENCH_DEPS !== "1"
        ? `bench dependencies missing (${missing.join(", ")}): run npm ci --prefix bench`
        : false;
    it(`runs every workload of ${system.id} with correct results`, { skip, timeout: 120_000 }, async () => {
      assert.deepEqual(missing, [], `bench dependencies missing (${missing.join(", ")}): run npm ci --prefix bench`);
      const report = await runNodeSystem(system);
      assert.equal(report.system, system.id);
      assertAllChecked(report, system.notOffered);
    });
  }

  it("keeps one host timer for all of asyncio-ts's sleeping tasks (W3)", { timeout: 60_000 }, async () => {
    const report = await runNodeSystem(SYSTEMS[0] as System);
    const probe = report.cells.find((c) => c.probe === "hostTimers");
    assert.equal(probe?.status, "ok", probe?.error);
    assert.equal(probe?.hostTimers, 1);
  });

  const python = spawnSync("python3", ["--version"], { env: childEnv({ PYENV_VERSION: "3.13.0" }), encoding: "utf8" });
  const noPython = python.status === 0 ? false : "no python3 found (CPython is reported by the bench, never required)";
  it("runs every workload of CPython's asyncio with correct results", {
    skip: noPython,
    timeout: 120_000,
  }, async () => {
    const args = [`${root}bench/workloads/cpython.py`, "--plan", JSON.stringify(plan(false))];
    const report = await runProcess("python3", args, childEnv({ PYENV_VERSION: "3.13.0" }));
    assert.equal(report.system, "cpython");
    assertAllChecked(report, []);
  });
});
