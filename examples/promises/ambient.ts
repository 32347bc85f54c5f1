// Coroutine → promise: plain async code awaits Futures, Tasks and gather() directly. With no loop
// running they run on the ambient loop, which starts itself and never keeps the process alive idle.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* square(n: number): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0.01 * n);
  return n * n;
}

/** Library code written as a plain async function: its callers never see a loop. */
export async function sumOfSquares(...ns: number[]): Promise<number> {
  const squares = await asyncio.gatherAll(ns.map((n) => square(n)));
  return squares.reduce((a, b) => a + b, 0);
}

export async function main(): Promise<void> {
  console.log("gather from async code:", await asyncio.gather(square(2), square(3)));
  console.log("a Task from async code:", await asyncio.createTask(square(4)));
  console.log("a library function:", await sumOfSquares(1, 2, 3));

  // toPromise() gives a real Promise, for Promise.race and friends.
  const slow = asyncio.createTask(square(50));
  const winner = await Promise.race([asyncio.toPromise(square(1)), asyncio.toPromise(slow)]);
  console.log("Promise.race winner:", winner);
  slow.cancel();

  // Errors cross unchanged, cancellation included.
  try {
    await slow;
  } catch (error) {
    console.log("awaiting the cancelled Task raised", (error as Error).name);
  }
}

if (isMain(import.meta.url)) await main();
