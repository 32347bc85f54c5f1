// The CPU-bound work of the executors example and benchmark: a chain of SHA-256 hashes.
//
// Workers import this module by URL. A TypeScript program names the compiled file,
// new URL("./executors-work.js", import.meta.url): built, it sits beside the caller's .js; run
// from source under tsx, the workers inherit tsx and load this .ts for it.
import { createHash } from "node:crypto";

/** Hash `seed` `rounds` times, each digest feeding the next, and return the last one in hex. */
export function hashChain(seed: string, rounds: number): string {
  let digest: Buffer = Buffer.from(seed);
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return digest.toString("hex");
}
