// wait(): race three mirrors, keep the first answer, cancel the others; then wait with a timeout.
// Python original: wait.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* download(mirror: string, seconds: number) {
  yield* asyncio.sleep(seconds);
  return `${mirror}: 42 kB in ${seconds} s`;
}

export function* main() {
  const mirrors = [
    asyncio.createTask(download("eu", 0.3), { name: "eu" }),
    asyncio.createTask(download("us", 0.1), { name: "us" }),
    asyncio.createTask(download("asia", 0.2), { name: "asia" }),
  ];
  const [done, pending] = yield* asyncio.wait(mirrors, { returnWhen: asyncio.FIRST_COMPLETED });
  for (const task of done) console.log(`first: ${task.result()}`);
  for (const task of pending) task.cancel();
  console.log(`cancelled: ${[...pending].map((t) => t.getName()).join(", ")}`);

  // wait() never raises on timeout: what is not done yet is simply still pending.
  const backup = asyncio.createTask(download("backup", 5));
  const [finished, stillRunning] = yield* asyncio.wait([backup], { timeout: 0.5 });
  console.log(`after 0.5 s: ${finished.size} done, ${stillRunning.size} pending`);
  backup.cancel();
}

if (isMain(import.meta.url)) await asyncio.run(main());
