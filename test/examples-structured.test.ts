// The using, TaskGroup, timeout and waitFor examples of docs/structured-concurrency.md, on virtual
// time: what each prints (CPython 3.13 prints the same for the Python original beside each file),
// when it ends, and that the page shows each file as it is.
import { describeStructuredExamples, type StructuredExample } from "./helpers/structured-examples.ts";
import * as taskgroup from "../examples/structured/taskgroup.ts";
import * as timeout from "../examples/structured/timeout.ts";
import * as using from "../examples/structured/using.ts";
import * as waitFor from "../examples/structured/wait-for.ts";

const examples: StructuredExample[] = [
  [
    "using",
    using.main,
    [
      "open db",
      "close db",
      "3 rows from SELECT * FROM users",
      "open db",
      "close db after RuntimeError: permission denied",
      "caught RuntimeError: permission denied",
      "suppressed, result: undefined",
    ],
    0.9,
  ],
  [
    "taskgroup",
    taskgroup.main,
    ["t=0.3 all done: user-1, user-2, user-3", "fetch 9 cancelled", "ValueError: user 4 not found"],
    0.7,
  ],
  [
    "timeout",
    timeout.main,
    [
      "query cleaned up",
      "timed out after 1.0 s",
      "step 1 done; deadline moved to +1 s",
      "step 2 done; deadline moved to +1 s",
      "step 3 done; deadline moved to +1 s",
      "finished in time; expired: false",
    ],
    3.4,
  ],
  [
    "wait-for",
    waitFor.main,
    [
      "page after 0.5 s",
      "fetch of 3 s cancelled",
      "gave up after 1 s",
      "gave up waiting; still fetching: true",
      "page after 2 s",
    ],
    3.5,
  ],
];

describeStructuredExamples("docs/structured-concurrency.md: using, TaskGroup, timeout, waitFor", examples);
