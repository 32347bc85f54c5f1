// The tour's HTTP stop: start a local server (loopback only, a port the OS picks), then fetch from
// it with a concurrency limit, a timeout and a cancellation. fetch() gets an AbortSignal from
// asyncio, so a timeout or a cancel really closes the request: the server sees it go.
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as asyncio from "asyncio-ts";
import { isMain } from "./is-main.ts";

/** A server whose pages take `?ms=N` milliseconds; it counts requests in flight and reports aborts. */
function startServer(): { server: Server; events: EventEmitter; stats: { active: number; maxActive: number } } {
  const events = new EventEmitter();
  const stats = { active: 0, maxActive: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    const timer = setTimeout(() => res.end(`page ${url.pathname}`), Number(url.searchParams.get("ms") ?? 0));
    res.on("close", () => {
      stats.active--;
      clearTimeout(timer);
      if (!res.writableFinished) events.emit("aborted", url.pathname);
    });
  });
  return { server, events, stats };
}

/** Fetch a page; `wrap` hands fetch a signal that is aborted if this coroutine is cancelled. */
function* fetchText(url: string): asyncio.Coroutine<string> {
  const response = yield* asyncio.wrap((signal) => fetch(url, { signal }));
  return yield* asyncio.wrap(response.text());
}

function* tour(): asyncio.Coroutine<void> {
  const { server, events, stats } = startServer();
  server.listen(0, "127.0.0.1");
  yield* asyncio.once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log("server listening on 127.0.0.1 (a port the OS picked)");
  try {
    // 1. A concurrency limit: eight pages, at most three requests in flight at any time.
    const limit = new asyncio.Semaphore(3);
    const pages = Array.from({ length: 8 }, (_, i) => `/page/${i + 1}?ms=20`);
    const bodies = yield* asyncio.gatherAll(pages.map((path) => asyncio.using(limit, () => fetchText(base + path))));
    console.log(`limit: fetched ${bodies.length} pages, at most ${stats.maxActive} at a time; first: "${bodies[0]}"`);

    // 2. A timeout: a page that takes 10 s, given 0.1 s. The request is aborted, not left running.
    const sawTimeout = asyncio.once<[string]>(events, "aborted");
    try {
      yield* asyncio.using(asyncio.timeout(0.1), () => fetchText(`${base}/slow?ms=10000`));
    } catch (error) {
      if (!(error instanceof asyncio.TimeoutError)) throw error;
      const [path] = yield* asyncio.waitFor(sawTimeout, 5);
      console.log(`timeout: ${path} took longer than 0.1 s -> TimeoutError, and the server saw the request close`);
    }

    // 3. A cancellation: the task fetching a slow page is cancelled after 50 ms.
    const sawCancel = asyncio.once<[string]>(events, "aborted");
    const download = asyncio.createTask(fetchText(`${base}/download?ms=10000`), { name: "download" });
    yield* asyncio.sleep(0.05);
    download.cancel("user pressed stop");
    const [outcome] = yield* asyncio.gather(download, { returnExceptions: true });
    const [path] = yield* asyncio.waitFor(sawCancel, 5);
    console.log(`cancel: ${path} -> ${(outcome as Error).name}, and the server saw the request close`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Run the HTTP tour; it resolves once the server is closed. */
export async function main(): Promise<void> {
  await asyncio.run(tour());
}

if (isMain(import.meta.url)) await main();
