// The jobs of bench/distributed.mjs: plain JavaScript, so that the workers start without a loader.
import { createHash } from "node:crypto";

/** The tiny job: nearly all of its cost is the trip through Redis and back. */
export function add(a, b) {
  return a + b;
}

/** Hash `seed` `rounds` times, each digest feeding the next; returns the last digest and the worker's pid. */
export function hashChain(seed, rounds) {
  let digest = Buffer.from(seed);
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return { digest: digest.toString("hex"), pid: process.pid };
}
