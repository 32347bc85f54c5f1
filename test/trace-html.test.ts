// writeTraceHtml() in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads the page from disk with no network, and the SVG must have one row per
// Task and show a bar's details on hover. The screenshot goes to docs/images/timeline.png.
//
// Without /usr/bin/chromium the test is skipped with a message, unless REQUIRE_CHROMIUM=1 (CI),
// where a missing browser is a failure.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { traceCrawler } from "./helpers/timeline-program.ts";

const CHROMIUM = "/usr/bin/chromium";
const required = process.env.REQUIRE_CHROMIUM === "1";
const available = existsSync(CHROMIUM);
const skip = !available && !required ? `no browser at ${CHROMIUM}: install Debian's chromium to run this test` : false;
const SCREENSHOT = fileURLToPath(new URL("../docs/images/timeline.png", import.meta.url));

describe("the HTML timeline in headless Chromium", { skip }, () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let trace: asyncio.Trace;
  const requested: string[] = [];

  before(async () => {
    assert.ok(available, `REQUIRE_CHROMIUM=1 but there is no browser at ${CHROMIUM}`);
    dir = mkdtempSync(join(tmpdir(), "asyncio-ts-html-"));
    trace = await traceCrawler();
    const file = join(dir, "timeline.html");
    asyncio.writeTraceHtml(trace, file);
    // A new, empty profile: nothing from another run can leak in.
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1160, height: 400 },
    });
    page = await context.newPage();
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(file).href);
  });

  after(async () => {
    await context?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("draws one row per Task, named, in creation order, with its outcome", async () => {
    const names = trace.events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.args?.name);
    const rows = await page.$$eval("svg g.task-row", (groups) =>
      groups.map((g) => [
        g.getAttribute("data-name"),
        g.querySelector("text.label")?.textContent,
        g.getAttribute("data-state"),
      ]),
    );
    assert.equal(rows.length, names.length);
    assert.deepEqual(
      rows.map((r) => r[1]),
      names,
    );
    assert.deepEqual(
      rows.map((r) => r[0]),
      names,
    );
    const states = Object.fromEntries(rows.map((r) => [r[0], r[2]]));
    assert.equal(states.crawler, "finished");
    assert.equal(states.heartbeat, "cancelled");
    assert.equal(states["fetch /missing"], "failed");
  });

  it("shows a bar's details on hover, the same as its <title> tooltip", async () => {
    const bar = page.locator('g.task-row[data-name="fetch /blog"] rect.await').first();
    await bar.hover();
    const details = await page.textContent("#details");
    // What a sleep waits on is a plain Future or, where sleep() has a timer of its own, "sleep".
    assert.match(details ?? "", /^Task 'fetch \/blog': await (Future|sleep), 0 s → 1\.8 s \(1\.8 s\)$/);
    assert.equal(await bar.locator("title").textContent(), details);
    const life = page.locator('g.task-row[data-name="fetch /missing"] rect.life');
    // The top edge of the lifetime bar: the wait drawn inside it is inset by a few pixels.
    const lifeBox = await life.boundingBox();
    assert.ok(lifeBox);
    await life.hover({ position: { x: lifeBox.width / 2, y: 1 } });
    assert.equal(
      await page.textContent("#details"),
      "Task 'fetch /missing' failed (ValueError: 404 for /missing), 2.5 s → 2.8 s",
    );
    const cancel = page.locator('g.task-row[data-name="heartbeat"] path.cancel');
    assert.equal(await cancel.count(), 1);
    assert.match((await cancel.locator("title").textContent()) ?? "", /cancellation requested at 2\.8 s/);
  });

  it("loads nothing but the file itself", () => {
    assert.ok(requested.length > 0);
    assert.deepEqual(
      requested.filter((url) => !url.startsWith("file://")),
      [],
    );
  });

  it("saves a screenshot for the docs", async () => {
    await page.locator('g.task-row[data-name="fetch /blog"] rect.await').first().hover();
    const box = await page.locator("body").boundingBox();
    assert.ok(box);
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({
      path: SCREENSHOT,
      clip: { x: 0, y: 0, width: Math.ceil(box.x + box.width + 16), height: Math.ceil(box.y + box.height + 16) },
    });
    assert.ok(existsSync(SCREENSHOT));
  });
});
