// gather's `signal` (an extension beyond asyncio): a user presses "stop" and the gather is cancelled.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* download(file: string, seconds: number) {
  try {
    yield* asyncio.sleep(seconds);
    console.log(`downloaded ${file}`);
    return file;
  } catch (error) {
    // Each child is cancelled with the abort reason as its message; clean up, then let it go.
    if (asyncio.isCancelledError(error)) console.log(`stopped ${file}: ${error.message}`);
    throw error;
  }
}

export function* main() {
  const stop = new AbortController();
  // A button, a signal handler or `AbortSignal.timeout(ms)` would do this; here it is a timer.
  asyncio.getRunningLoop().callLater(0.25, () => stop.abort("the user pressed stop"));
  try {
    yield* asyncio.gather(download("a.zip", 0.1), download("b.zip", 0.5), download("c.zip", 1), {
      signal: stop.signal,
    });
  } catch (error) {
    if (!asyncio.isCancelledError(error)) throw error;
    console.log(`gather cancelled: ${error.message}`);
  }
  // A signal that is aborted already cancels the gather before anything starts.
  try {
    yield* asyncio.gather(download("d.zip", 0.1), { signal: stop.signal });
  } catch (error) {
    if (!asyncio.isCancelledError(error)) throw error;
    console.log(`second gather cancelled at once: ${error.message}`);
  }
}

if (isMain(import.meta.url)) await asyncio.run(main());
