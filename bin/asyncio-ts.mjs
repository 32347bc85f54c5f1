#!/usr/bin/env node
// The `asyncio-ts` command (`npx asyncio-ts worker ...`): runs the built dist/ of this package.
// In a checkout without a build, run the sources instead:
//   node --conditions=asyncio-ts-source --import tsx src/distributed/cli.ts worker ...
const cli = new URL("../dist/distributed/cli.js", import.meta.url);
let main;
try {
  ({ main } = await import(cli.href));
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/distributed/cli.js")) {
    console.error(
      "asyncio-ts: dist/ is missing: build the package (npm run build), or run the sources with\n" +
        "  node --conditions=asyncio-ts-source --import tsx src/distributed/cli.ts worker ...",
    );
    process.exit(1);
  }
  throw error;
}
// Exit with the command's code even when a handed-back handler still holds a timer.
process.exit(await main(process.argv.slice(2)));
