// Turning raw runs into per-task costs, ratios, the console table, the targets check and docs/performance.md.
import { WORKLOADS } from "./systems.mjs";

/** The sleep W3's children do, subtracted so that W3 reports what the sleeping costs, not the sleep. */
const W3_SLEEP_MS = 10;

/** Unit of each workload's figure. */
export function unitOf(workload) {
  return workload === "W5" ? "bytes/task" : "µs/task";
}

/** A run's cost per task: µs (W3: above the 10 ms sleep; W4: from cancel() to the last finally), or bytes (W5). */
export function perTask(workload, n, run) {
  switch (workload) {
    case "W3":
      return ((run.ms - W3_SLEEP_MS) * 1000) / n;
    case "W5":
      return (run.after - run.before) / n;
    default:
      return (run.ms * 1000) / n;
  }
}

/** A run's CPU time per task in µs (this process, GC threads included), or null when not recorded (W5). */
export function cpuPerTask(n, run) {
  return typeof run.cpuMs === "number" ? (run.cpuMs * 1000) / n : null;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, min and max of a list of numbers. */
export function stats(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Fill in each ok cell's stats and its ratios to the Promise.all and CPython cells of the same workload and N. */
export function summarize(cells) {
  const key = (c) => `${c.workload}/${c.n}/${c.system}`;
  const byKey = new Map(cells.map((c) => [key(c), c]));
  for (const cell of cells) {
    if (cell.status !== "ok") continue;
    cell.stats = stats(cell.runs.map((r) => perTask(cell.workload, cell.n, r)));
    const cpu = cell.runs.map((r) => cpuPerTask(cell.n, r));
    cell.cpu = cpu.every((v) => v !== null) ? stats(cpu) : null;
    if (cell.workload === "W4") cell.setup = stats(cell.runs.map((r) => (r.setupMs * 1000) / cell.n));
  }
  for (const cell of cells) {
    if (cell.status !== "ok") continue;
    const promise = byKey.get(`${cell.workload}/${cell.n}/native`);
    const cpython = byKey.get(`${cell.workload}/${cell.n}/cpython`);
    cell.vsPromise = promise?.status === "ok" ? cell.stats.median / promise.stats.median : null;
    cell.vsCPython = cpython?.status === "ok" ? cell.stats.median / cpython.stats.median : null;
    cell.cpuVsPromise = cell.cpu && promise?.cpu ? cell.cpu.median / promise.cpu.median : null;
  }
  return cells;
}

/** Three significant digits, grouped thousands for big values. */
export function num(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function ratio(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

const nfmt = (n) => n.toLocaleString("en-US");

/** Cells of one workload in table order: by N, then by the order systems were given. */
function rowsOf(result, workload) {
  const order = new Map(result.systems.map((s, i) => [s.id, i]));
  return result.cells
    .filter((c) => c.workload === workload)
    .sort((a, b) => a.n - b.n || order.get(a.system) - order.get(b.system));
}

function labelOf(result, id) {
  return result.systems.find((s) => s.id === id)?.label ?? id;
}

function statusText(cell) {
  if (cell.status === "n/a") return `n/a (${cell.reason})`;
  if (cell.status === "skipped") return `skipped: ${String(cell.reason).replace(/^skipped: /, "")}`;
  return `${cell.status}: ${String(cell.error ?? "").split("\n")[0]}`;
}

function pad(text, width, right = false) {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

/** The console table of every workload. */
export function formatConsole(result) {
  const lines = [];
  const workloads = Object.keys(WORKLOADS).filter((w) => result.cells.some((c) => c.workload === w));
  for (const w of workloads) {
    lines.push("", `${w}  ${WORKLOADS[w]}  (${unitOf(w)}${w === "W3" ? ", above the 10 ms sleep" : ""})`);
    lines.push(
      `${pad("N", 10)} ${pad("system", 28)} ${pad("median", 9, true)} ${pad("min", 9, true)} ${pad("max", 9, true)} ${pad("×Promise", 9, true)} ${pad("×CPython", 9, true)} ${pad("cpu", 9, true)} ${pad("cpu×Prom", 9, true)}`,
    );
    let lastN = null;
    for (const cell of rowsOf(result, w)) {
      if (cell.status === "n/a" && cell.system !== "asyncio-ts") continue;
      const n = cell.n === lastN ? "" : nfmt(cell.n);
      lastN = cell.n;
      const label = labelOf(result, cell.system);
      if (cell.status !== "ok") {
        lines.push(`${pad(n, 10)} ${pad(label, 28)} ${statusText(cell)}`);
        continue;
      }
      const { median: m, min, max } = cell.stats;
      lines.push(
        `${pad(n, 10)} ${pad(label, 28)} ${pad(num(m), 9, true)} ${pad(num(min), 9, true)} ${pad(num(max), 9, true)} ${pad(ratio(cell.vsPromise), 9, true)} ${pad(ratio(cell.vsCPython), 9, true)} ${pad(num(cell.cpu?.median), 9, true)} ${pad(ratio(cell.cpuVsPromise), 9, true)}`,
      );
    }
    if (w === "W3" && result.hostTimers) {
      const counts = Object.entries(result.hostTimers).map(([id, c]) => `${labelOf(result, id)} ${c}`);
      lines.push(`host timers active during the sleep at N = ${nfmt(result.hostTimersN)}: ${counts.join(", ")}`);
    }
    if (w === "W4") {
      const setups = rowsOf(result, w).filter((c) => c.status === "ok" && c.system === "asyncio-ts");
      if (setups.length > 0) {
        lines.push(
          `asyncio-ts start-up of the N sleeping tasks: ${setups.map((c) => `${num(c.setup.median)} µs/task at ${nfmt(c.n)}`).join(", ")}`,
        );
      }
    }
  }
  return lines.join("\n");
}

/**
 * asyncio-ts at a glance: per workload and N, its median and its ratio to Promise.all, Bluebird,
 * Effect and CPython (below 1 is faster than them). Rows are arrays of cells, header first.
 */
export function glance(result) {
  const cell = (w, n, s) => result.cells.find((c) => c.workload === w && c.n === n && c.system === s);
  const vs = (ours, w, n, s) => {
    const peer = cell(w, n, s);
    if (peer?.status !== "ok") return "—";
    const wall = ratio(ours.stats.median / peer.stats.median);
    return ours.cpu && peer.cpu ? `${wall} / ${ratio(ours.cpu.median / peer.cpu.median)}` : wall;
  };
  const rows = [["workload", "N", "asyncio-ts", "× Promise.all", "× Bluebird", "× Effect", "× CPython"]];
  for (const w of Object.keys(WORKLOADS)) {
    for (const ours of rowsOf(result, w).filter((c) => c.system === "asyncio-ts")) {
      if (ours.status !== "ok") {
        rows.push([w, nfmt(ours.n), statusText(ours), "", "", "", ""]);
        continue;
      }
      const value = `${num(ours.stats.median)} ${w === "W5" ? "B" : "µs"}`;
      const ratios = ["native", "bluebird", "effect", "cpython"].map((s) => vs(ours, w, ours.n, s));
      rows.push([w, nfmt(ours.n), value, ...ratios]);
    }
  }
  return rows;
}

export function formatGlance(result) {
  const rows = glance(result);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((v, i) => (i < 2 ? pad(v, widths[i]) : pad(v, widths[i], true))).join("  ");
  const title = "asyncio-ts at a glance (its median over theirs, wall / CPU time; below 1 is faster)";
  return ["", title, ...rows.map(line)].join("\n");
}

const PEERS = ["effection", "effect", "bluebird", "p-map"];

/** Each target of issue 7, checked against this run: `met` true/false, or null when not measured. */
export function checkTargets(result) {
  const cell = (w, n, s) =>
    result.cells.find((c) => c.workload === w && c.n === n && c.system === s && c.status === "ok");
  const ours = (w) => result.cells.filter((c) => c.workload === w && c.system === "asyncio-ts" && c.status === "ok");
  const targets = [];

  const w1 = ours("W1").filter((c) => c.n >= 100_000 && c.vsPromise !== null);
  targets.push({
    target: "W1 ≤ 1.3× Promise.all per task at N = 10⁵ and 10⁶",
    met: w1.length === 0 ? null : w1.every((c) => c.vsPromise <= 1.3),
    detail: w1.map((c) => `${ratio(c.vsPromise)} at ${nfmt(c.n)}`).join(", "),
  });
  const w1py = ours("W1").filter((c) => c.n >= 10_000 && c.vsCPython !== null);
  targets.push({
    target: "W1 ≥ 15× faster than CPython 3.13",
    met: w1py.length === 0 ? null : w1py.every((c) => 1 / c.vsCPython >= 15),
    detail: w1py.map((c) => `${(1 / c.vsCPython).toFixed(1)}× faster at ${nfmt(c.n)}`).join(", "),
  });

  const losses = [];
  let compared = 0;
  for (const w of Object.keys(WORKLOADS)) {
    for (const c of ours(w).filter((x) => x.n >= 10_000)) {
      for (const peer of PEERS) {
        const p = cell(w, c.n, peer);
        if (!p) continue;
        compared++;
        if (c.stats.median >= p.stats.median) {
          losses.push(`${w} ${nfmt(c.n)} vs ${labelOf(result, peer)} (${ratio(c.stats.median / p.stats.median)})`);
        }
      }
    }
  }
  targets.push({
    target: "W1–W6 faster than Effection, Effect, Bluebird and p-map at N ≥ 10⁴",
    met: compared === 0 ? null : losses.length === 0,
    detail:
      compared === 0 ? "" : losses.length === 0 ? `${compared} comparisons, all won` : `slower in ${losses.join("; ")}`,
  });

  const timers = result.hostTimers?.["asyncio-ts"];
  targets.push({
    target: "W3 one host timer for any number of sleeping tasks",
    met: timers === undefined ? null : timers === 1,
    detail:
      timers === undefined
        ? ""
        : `${timers} active at N = ${nfmt(result.hostTimersN)} (Promise.all: ${result.hostTimers?.native ?? "—"})`,
  });
  const w3 = cell("W3", 1_000_000, "asyncio-ts");
  const w3n = cell("W3", 1_000_000, "native");
  targets.push({
    target: "W3 at N = 10⁶ faster than N native setTimeout promises",
    met: w3 && w3n ? w3.stats.median < w3n.stats.median : null,
    detail: w3 && w3n ? `${ratio(w3.stats.median / w3n.stats.median)} Promise.all (above the sleep)` : "",
  });

  const w4 = ours("W4").filter((c) => c.n >= 10_000);
  const w4vs = w4.flatMap((c) =>
    ["bluebird", "effect"].map((peer) => [c, cell("W4", c.n, peer), peer]).filter(([, p]) => p),
  );
  targets.push({
    target: "W4 cancelling costs less per task than Bluebird's and Effect's cancellation",
    met: w4vs.length === 0 ? null : w4vs.every(([c, p]) => c.stats.median < p.stats.median),
    detail: w4vs
      .map(([c, p, peer]) => `${ratio(c.stats.median / p.stats.median)} ${labelOf(result, peer)} at ${nfmt(c.n)}`)
      .join(", "),
  });

  const w5 = ours("W5");
  targets.push({
    target: "W5 ≤ 700 bytes of heap per pending sleeping task",
    met: w5.length === 0 ? null : w5.every((c) => c.stats.median <= 700),
    detail: w5.map((c) => `${num(c.stats.median)} bytes at ${nfmt(c.n)}`).join(", "),
  });
  return targets;
}

export function formatTargets(targets) {
  const mark = (met) => (met === null ? "not measured" : met ? "met" : "MISSED");
  return [
    "",
    "Targets (issue 7)",
    ...targets.map((t) => `  [${mark(t.met)}] ${t.target}${t.detail ? `: ${t.detail}` : ""}`),
  ].join("\n");
}

/** docs/performance.md from a full run. */
export function renderDocs(result) {
  const m = result.meta;
  const c = m.config;
  const out = [];
  out.push(
    "# Performance",
    "",
    "asyncio-ts side by side with native promises, Bluebird, Effect, Effection, p-map/p-limit and",
    "CPython's asyncio, measured in one run on one machine. This page is generated by the bench:",
    "do not edit it by hand.",
    "",
    "```sh",
    m.command,
    "```",
    "",
    `Run on ${m.date}, asyncio-ts ${m.asyncioTs.version} at commit \`${m.git.commit}\`${m.git.dirty ? " (with uncommitted changes)" : ""}, built with \`tsc\`${m.build === "ok" ? "" : ` (${m.build})`}; took ${Math.round(m.durationS)} s.`,
    "",
    "## Machine",
    "",
    `- CPU: ${m.machine.cpu}, ${m.machine.cores} cores; ${m.machine.memoryGiB} GiB RAM; ${m.machine.os}`,
    `- Load average (1 min) at start and end: ${m.loadavg.start.toFixed(2)} and ${m.loadavg.end.toFixed(2)}. The machine is shared: read ratios and medians, never a lone absolute time.`,
    `- Node ${m.versions.node}, ${m.versions.python ? `CPython ${m.versions.python}` : "CPython not found (its columns are empty)"}`,
    `- Peers: ${Object.entries(m.versions.peers)
      .map(([k, v]) => `${k} ${v ?? "(not installed)"}`)
      .join(", ")}`,
    "",
    "## At a glance",
    "",
    "asyncio-ts's median per task, and its ratio to each peer's median at the same N, in wall time /",
    "in CPU time (below 1 is faster). On a busy machine the CPU-time ratio is the steadier one.",
    "",
    ...glance(result).flatMap((row, i) => {
      const line = `| ${row.join(" | ")} |`;
      return i === 0 ? [line, "|---|---:|---:|---:|---:|---:|---:|"] : [line];
    }),
    "",
    "## Targets",
    "",
    "| target | status | measured |",
    "|---|---|---|",
    ...checkTargets(result).map(
      (t) => `| ${t.target} | ${t.met === null ? "not measured" : t.met ? "met" : "**missed**"} | ${t.detail || "—"} |`,
    ),
    "",
    "## Results",
    "",
    "Per-task cost in wall time, median of the runs with min and max; `× Promise.all` and `× CPython`",
    "divide the median by theirs at the same N (below 1 is faster). W3 counts the time above the 10 ms",
    "sleep (at small N mostly host-timer jitter: 1 ms late at N = 1,000 is 1 µs per task); W4 the",
    "time from `cancel()` until the last `finally` ran; W5 bytes of heap; W6 the whole",
    "run (its floor is 10 µs per task: 1 ms per wave of 100). The CPU columns give the CPU time the",
    "process used over the same span (GC threads included; idle waits excluded), which other",
    "processes on a busy machine do not inflate.",
  );
  for (const w of Object.keys(WORKLOADS)) {
    const rows = rowsOf(result, w);
    if (rows.length === 0) continue;
    out.push(
      "",
      `### ${w}: ${WORKLOADS[w]}`,
      "",
      w === "W5"
        ? `| N | system | median ${unitOf(w)} | min | max | × Promise.all | × CPython |`
        : `| N | system | median ${unitOf(w)} | min | max | × Promise.all | × CPython | CPU µs/task | CPU × Promise.all |`,
      w === "W5" ? "|---:|---|---:|---:|---:|---:|---:|" : "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const c of rows) {
      if (c.status === "n/a" && c.system !== "asyncio-ts") continue;
      const label = c.system === "asyncio-ts" ? "**asyncio-ts**" : labelOf(result, c.system);
      if (c.status !== "ok") {
        out.push(
          `| ${nfmt(c.n)} | ${label} | ${statusText(c).replaceAll("|", "\\|")} | | | | |${w === "W5" ? "" : " | |"}`,
        );
        continue;
      }
      out.push(
        `| ${nfmt(c.n)} | ${label} | ${num(c.stats.median)} | ${num(c.stats.min)} | ${num(c.stats.max)} | ${ratio(c.vsPromise)} | ${ratio(c.vsCPython)} |${w === "W5" ? "" : ` ${num(c.cpu?.median)} | ${ratio(c.cpuVsPromise)} |`}`,
      );
    }
    if (w === "W3" && result.hostTimers) {
      out.push(
        "",
        `Host timers active during the sleep (N = ${nfmt(result.hostTimersN)}, \`process.getActiveResourcesInfo()\`): ${Object.entries(
          result.hostTimers,
        )
          .map(([id, c]) => `${labelOf(result, id)} ${c}`)
          .join(", ")}.`,
      );
    }
    const forms = result.systems.filter((s) => s.forms?.[w]).map((s) => `- ${s.label}: ${s.forms[w]}`);
    out.push("", "Forms measured:", "", ...forms);
  }
  out.push(
    "",
    "## Method",
    "",
    `- Sizes N = ${c.ns.map(nfmt).join(", ")} (W5 at ${nfmt(c.w5N)}). Each system runs each workload at each N in a fresh process (\`node --expose-gc --max-old-space-size=8192\`, \`NODE_ENV=production\`, no debug switches), after warm-up runs at a smaller N in the same process (until 50,000 tasks or half a second: one run leaves asyncio-ts's code far from its steady cost), then ${c.runs} measured runs (${c.runsMedium ?? c.runs} at N = 10⁵, ${c.runsLarge} at 10⁶, ${c.runsW6Large} for W6 at 10⁶), each after a minor GC (a forced full GC would reset V8's heap limits and slow the next run several-fold). Systems run one after the other, never at the same time.`,
    `- Time budget: fewer runs (at least one) where a cell's runs would take over ${c.cellSeconds} s, and a peer whose single run would take over ${c.maxRunSeconds} s, predicted from its cost at the smaller N, is skipped and marked so (asyncio-ts never is). The "runs" behind each median are in \`bench/results/latest.json\`.`,
    "- The clock starts before the N coroutines (promises, effects, operations) are made and stops when the results are in hand, inside each system's own entry point (`asyncio.run`, an async function, `Effect.runPromise`, Effection's `run`, a Bluebird coroutine, `asyncio.run` in CPython).",
    "- Every run is checked before it counts: results in argument order, every `finally` ran and the gather ended cancelled (W4), every task pending when the heap is measured (W5), never more than 100 children at once (W6). A system that fails a check reports an error instead of a number.",
    "- W5 measures `process.memoryUsage().heapUsed` after two `gc()` calls with all N tasks pending, minus the same before they were made, in a process of its own per run (CPython: `tracemalloc` after `gc.collect()`).",
    `- The W3 host-timer count samples \`process.getActiveResourcesInfo()\` once per host turn during a separate, untimed run at N = ${nfmt(result.hostTimersN)} whose tasks sleep 1 s (long enough for all of them to be asleep at once).`,
    "- Peers get their idiomatic fastest form (listed under each table); asyncio-ts is imported from `dist/`, built by `tsc` right before the run, the code users get.",
    "- asyncio-ts's W6 needs gather's `limit` option; a build without it reports W6 as n/a.",
    "",
    "Re-run it with `npm run bench -- --write-docs` (ten to fifteen minutes on this machine, longer when it is busy); `npm run bench -- --quick` (under a minute) and `--only W1 --systems asyncio-ts,native` for quick looks (those never touch this page); `npm run bench -- --profile` prints where asyncio-ts spends its time on W1 and W2 at N = 10⁶.",
    "",
  );
  return out.join("\n");
}
