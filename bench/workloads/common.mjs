// Helpers shared by every system's workloads: clocks, heap measurement, and waiting on the host loop.

/**
 * Start timing: the wall clock and the CPU time this process has used so far. CPU time (user and
 * system, GC threads included) does not grow while other processes hold the CPU, so it stays
 * meaningful on a busy machine where wall time does not.
 */
export function mark() {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

/** Milliseconds of wall time (`ms`) and of CPU time (`cpuMs`) since `start = mark()`. */
export function since(start) {
  const cpu = process.cpuUsage(start.cpu);
  return { ms: performance.now() - start.wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The JS heap in use after a full collection, in bytes. Collecting twice lets objects whose
 * finalizers ran in the first pass go too. Needs `node --expose-gc`.
 */
export function heapAfterGc() {
  if (typeof globalThis.gc !== "function") throw new Error("heapAfterGc() needs node --expose-gc");
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Resolve on the first host macrotask turn where `predicate()` holds (polled with setImmediate). */
export function until(predicate) {
  return new Promise((resolve) => {
    const poll = () => (predicate() ? resolve() : setImmediate(poll));
    poll();
  });
}

/** Resolve after one full turn of the host event loop, so work queued on any scheduler has run. */
export function hostTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Sample, once per host macrotask turn, how many host timers (`Timeout` resources) are active,
 * until `stop()` is called; `stop()` returns the largest count seen. Only for the W3 probe: the
 * sampling itself costs time, so timed runs never use it.
 */
export function sampleHostTimers() {
  let max = 0;
  let running = true;
  const sample = () => {
    if (!running) return;
    let count = 0;
    for (const kind of process.getActiveResourcesInfo()) if (kind === "Timeout") count++;
    if (count > max) max = count;
    setImmediate(sample);
  };
  sample();
  return () => {
    running = false;
    return max;
  };
}

/** Tracks how many children of a W6 run are inside their sleep at once. */
export class Concurrency {
  active = 0;
  max = 0;
  enter() {
    if (++this.active > this.max) this.max = this.active;
  }
  leave() {
    this.active--;
  }
}
