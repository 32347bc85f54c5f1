// The jobs of the distributed example: what its worker processes are allowed to run.
//
// Workers import this module because they were started with `--module` naming it; a job can only
// name functions exported here. The producer refers to the compiled file, "./distributed-tasks.js":
// run from the sources, the worker was given this .ts, and matches the two by file name.
import { createHash } from "node:crypto";
import { currentJob } from "asyncio-ts/distributed";

/** What one job reports: the file it "fetched", its digest, and which worker process did it. */
export interface Checksum {
  name: string;
  digest: string;
  worker: number;
}

/**
 * Pretend to download the file `name` (a wait of 5 to 35 ms, cut short if the job is cancelled),
 * then hash `kilobytes` of its content.
 */
export async function checksum(name: string, kilobytes: number): Promise<Checksum> {
  const seed = createHash("sha256").update(name).digest();
  const wait = 5 + ((seed[0] as number) % 31);
  await new Promise<void>((resolve, reject) => {
    const signal = currentJob()?.signal;
    const timer = setTimeout(resolve, wait);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
  const hash = createHash("sha256");
  for (let i = 0; i < kilobytes; i++) hash.update(seed.subarray(0, 32)).update(Buffer.alloc(992, i));
  return { name, digest: hash.digest("hex").slice(0, 16), worker: process.pid };
}
