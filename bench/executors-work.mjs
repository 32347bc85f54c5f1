// The worker functions of bench/executors.mjs: plain JavaScript, so workers need no loader.
import { createHash } from "node:crypto";

/** Hash `seed` `rounds` times, each digest feeding the next, and return the last one in hex. */
export function hashChain(seed, rounds) {
  let digest = Buffer.from(seed);
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return digest.toString("hex");
}

/** The tiny job: nearly all of its cost is the trip to the worker and back. */
export function add(a, b) {
  return a + b;
}
