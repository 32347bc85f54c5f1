"""CPython's asyncio running the bench's workloads, the reference the other systems are compared with.

Same interface and output as bench/worker.mjs: one JSON line with each workload's runs. Every run is
checked (values in order, every finally ran, tasks really pending, the limit held).
"""

import argparse
import asyncio
import gc
import json
import os
import sys
import time
import tracemalloc

W6_LIMIT = 100
W6_SLEEP = 0.001


def mark():
    """Start timing: wall clock and this process's CPU time (which a busy machine does not inflate)."""
    return (time.perf_counter(), time.process_time())


def since(start):
    """Milliseconds of wall time (ms) and CPU time (cpuMs) since start = mark()."""
    return {"ms": (time.perf_counter() - start[0]) * 1000, "cpuMs": (time.process_time() - start[1]) * 1000}


async def trivial(i):
    return i


async def yield_once(i):
    await asyncio.sleep(0)
    return i


async def sleeper(i, seconds):
    await asyncio.sleep(seconds)
    return i


async def timed_gather(n, make):
    t0 = mark()
    coros = [make(i) for i in range(n)]
    results = await asyncio.gather(*coros)
    return {**since(t0), "results": results}


async def w1(n, ctx):
    return await timed_gather(n, trivial)


async def w2(n, ctx):
    return await timed_gather(n, yield_once)


async def w3(n, ctx):
    return await timed_gather(n, lambda i: sleeper(i, 0.01))


async def w4(n, ctx):
    done = asyncio.get_running_loop().create_future()
    started = 0
    finallies = 0

    async def child():
        nonlocal started, finallies
        started += 1
        try:
            await asyncio.sleep(10)
        finally:
            finallies += 1
            if finallies == n:
                done.set_result(None)

    t0 = mark()
    coros = [child() for _ in range(n)]
    outer = asyncio.gather(*coros)
    while started < n:
        await asyncio.sleep(0)
    t1 = mark()
    outer.cancel()
    cancelled = False
    try:
        await outer
    except asyncio.CancelledError:
        cancelled = True
    if not done.done():
        await done
    return {"setupMs": (t1[0] - t0[0]) * 1000, **since(t1), "finallies": finallies, "cancelled": cancelled}


def traced_after_gc():
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def w5(n, ctx):
    started = 0
    finished = 0

    async def child(i):
        nonlocal started, finished
        started += 1
        await asyncio.sleep(ctx["hold"])
        finished += 1
        return i

    # tracemalloc counts every allocation Python makes, the closest to V8's heap after GC.
    tracemalloc.start()
    before = traced_after_gc()
    coros = [child(i) for i in range(n)]
    outer = asyncio.gather(*coros)
    while started < n:
        await asyncio.sleep(0)
    after = traced_after_gc()
    tracemalloc.stop()
    ctx["measured"]({"before": before, "after": after, "pending": started - finished})
    return {"results": await outer}


async def w6(n, ctx):
    limit = asyncio.Semaphore(W6_LIMIT)
    active = 0
    peak = 0

    async def child(i):
        nonlocal active, peak
        async with limit:
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(W6_SLEEP)
            active -= 1
        return i

    r = await timed_gather(n, child)
    r["maxActive"] = peak
    return r


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}
FORMS = {
    "W1": "asyncio.gather(*coros), each coroutine `return i`",
    "W2": "asyncio.gather(*coros), each `await asyncio.sleep(0)`",
    "W3": "asyncio.gather(*coros), each `await asyncio.sleep(0.01)`",
    "W4": "asyncio.gather(*coros) of `try: await asyncio.sleep(10) finally: ...`, then `gather.cancel()`",
    "W5": "asyncio.gather(*coros), each `await asyncio.sleep(10)` (tracemalloc after gc.collect())",
    "W6": "asyncio.gather(*coros), each under `async with asyncio.Semaphore(100)`, `await asyncio.sleep(0.001)`",
}


def check_results(results, n):
    if len(results) != n:
        return f"expected {n} results, got {len(results)}"
    for i, r in enumerate(results):
        if r != i:
            return f"result {i} is {r!r}: results are not in order"
    return None


def check(workload, n, r):
    if workload == "W4":
        if r["finallies"] != n:
            return f"{r['finallies']} of {n} finally blocks ran"
        return None if r["cancelled"] else "the gather did not end cancelled"
    if workload == "W5":
        if r["pending"] != n:
            return f"{r['pending']} of {n} tasks were pending when the heap was measured"
        return check_results(r["results"], n) if "results" in r else None
    if workload == "W6" and not 0 < r["maxActive"] <= W6_LIMIT:
        return f"{r['maxActive']} children ran at once (limit {W6_LIMIT})"
    return check_results(r["results"], n)


def metrics(r):
    return {k: r[k] for k in ("ms", "cpuMs", "setupMs", "before", "after", "maxActive") if k in r}


def emit(cells):
    label = f"CPython {sys.version_info.major}.{sys.version_info.minor}"
    print(json.dumps({"system": "cpython", "label": label, "forms": FORMS, "cells": cells}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", default="W1,W2,W3,W4,W5,W6")
    p.add_argument("--n", default="1000")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--warmup-n", type=int, default=0)
    p.add_argument("--w5-hold", type=float, default=10)
    p.add_argument("--exit-after-measure", action="store_true")
    p.add_argument("--plan")
    args = p.parse_args()
    if args.plan:
        plan = json.loads(args.plan)
    else:
        plan = [
            {"workload": w, "n": int(n), "runs": args.runs, "warmupN": args.warmup_n, "exitAfterMeasure": args.exit_after_measure}
            for w in args.workloads.split(",")
            for n in args.n.split(",")
        ]
    cells = []

    def run_once(workload, n, hold, exit_after, warmup=False):
        measurement = {}

        def measured(m):
            measurement.update(m)
            if exit_after:
                problem = check(workload, n, m)
                out = {"status": "error", "error": problem} if problem else {"status": "ok", "runs": [metrics(m)]}
                emit([*cells, {"workload": workload, "n": n, **out}])
                os._exit(0)

        gc.collect()
        ctx = {"hold": hold, "measured": measured}
        r = asyncio.run(WORKLOADS[workload](n, ctx))
        r = {**measurement, **r}
        if warmup and workload == "W5":
            r["pending"] = n  # a short warm-up hold may see early tasks finish
        problem = check(workload, n, r)
        if problem:
            raise RuntimeError(problem)
        return r

    def warm_up(workload, size, hold, step):
        # The same policy as bench/worker.mjs: small runs until enough tasks ran or time passed.
        start = time.perf_counter()
        tasks = 0
        while True:
            run_once(workload, size, hold, False, warmup=True)
            tasks += size
            if tasks >= step.get("warmupTasks", 50_000) or time.perf_counter() - start >= step.get("warmupSeconds", 0.5):
                break

    def measure(step):
        workload, n = step["workload"], step["n"]
        if workload not in WORKLOADS:
            return {"status": "n/a", "reason": "not implemented"}
        if step.get("probeTimers"):
            return {"status": "n/a", "reason": "no host timers to count"}
        try:
            if step.get("warmupN", 0) > 0:
                warm_up(workload, min(step["warmupN"], n), min(step.get("holdSeconds", args.w5_hold), 0.1), step)
            exit_after = step.get("exitAfterMeasure", False)
            hold = step.get("holdSeconds", args.w5_hold)
            runs = [metrics(run_once(workload, n, hold, exit_after)) for _ in range(step.get("runs", 1))]
            return {"status": "ok", "runs": runs}
        except Exception as error:  # reported, never fatal: the other workloads still run
            return {"status": "error", "error": f"{type(error).__name__}: {error}"}

    for step in plan:
        cells.append({"workload": step["workload"], "n": step["n"], **measure(step)})
    emit(cells)


if __name__ == "__main__":
    main()
