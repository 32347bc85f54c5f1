// Run a garbage-collection fixture (test/fixtures/*.ts) in a child process with `--expose-gc`
// and return what it prints: a JSON object with one outcome per scenario named on its command line.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export function runGcFixture<T>(
  fixture: "debug-gc" | "never-retrieved",
  scenarios: string[],
  timeoutMs: number,
): Promise<T> {
  const path = fileURLToPath(new URL(`../fixtures/${fixture}.ts`, import.meta.url));
  return new Promise<T>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--conditions=asyncio-ts-source", "--import", "tsx", path, ...scenarios],
      { encoding: "utf8", timeout: timeoutMs },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out) as T)),
    );
  });
}
