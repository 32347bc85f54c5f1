// npm start: the tutorial's three programs with their elapsed times, then a short tour.
import * as asyncio from "asyncio-ts";
import * as gatherExample from "./tutorial/1_gather.ts";
import * as returnExceptions from "./tutorial/2_return_exceptions.ts";
import * as propagates from "./tutorial/3_exception_propagates.ts";
import * as distributedExample from "./distributed.ts";
import * as executorsExample from "./executors.ts";
import * as httpTour from "./http-tour.ts";
import * as timeline from "./timeline.ts";
import * as pipeline from "./pipeline.ts";
import * as gatherLimit from "./structured/gather-limit.ts";
import * as taskgroup from "./structured/taskgroup.ts";
import * as timeoutExample from "./structured/timeout.ts";

function heading(title: string): void {
  console.log(`\n=== ${title} ===`);
}

async function timed(title: string, main: () => asyncio.Coroutine<unknown>, expectFailure = false): Promise<void> {
  heading(title);
  const start = performance.now();
  try {
    await asyncio.run(main());
    if (expectFailure) throw new Error(`${title} was expected to fail`);
  } catch (error) {
    if (!expectFailure) throw error;
    console.log(`(expected failure) asyncio.run() rejected with ${String(error)}`);
  }
  console.log(`elapsed: ${((performance.now() - start) / 1000).toFixed(2)} s`);
}

await timed("1. gather(coro_1(), coro_2()): 2 s and 1 s sleeps, run concurrently", gatherExample.main);
await timed("2. gather(..., { returnExceptions: true }): the error is returned, not raised", returnExceptions.main);
await timed(
  "3. gather(..., { returnExceptions: false }): the error propagates after 1 s; run() cancels coro_1",
  propagates.main,
  true,
);

await timed(
  "4. a pipeline: a bounded Queue feeding four workers, at most two fetching at once (Semaphore)",
  pipeline.main,
);
await timed("5. TaskGroup: the first failure cancels the rest; errors arrive as an ExceptionGroup", taskgroup.main);
await timed("6. timeout(): the body is cancelled and TimeoutError raised out of using()", timeoutExample.main);
await timed("7. beyond Python: gather with { limit } runs at most N children at once", gatherLimit.main);
await timed("8. a CPU-bound gather: on the loop, then on a thread pool (toThread)", executorsExample.main);

heading("9. promises at the edges: a local HTTP server fetched with a concurrency limit, a timeout and a cancel");
await httpTour.main();

heading("10. beyond one machine: a distributed gather over two worker processes (BullMQ on a private Redis)");
await distributedExample.main();

heading("11. seeing what ran: the tutorial's gather as a timeline (also written to trace.json)");
await timeline.main();
