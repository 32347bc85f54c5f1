// Where the worker side lives: the module both pools load in each of their workers.

/**
 * The URL of `worker.ts`'s JavaScript: the compiled `worker.js` beside this module when it runs
 * from `dist/`, the `.ts` source when it runs from `src/` under a TypeScript loader such as tsx
 * (workers inherit the loader through `execArgv`).
 */
export const WORKER_ENTRY: URL = new URL(
  import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js",
  import.meta.url,
);

/** The export of the worker entry that pools call for each job. */
export const WORKER_EXPORT = "runJob";
