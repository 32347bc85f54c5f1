// The shield, wait, asCompleted, eager-task and gather-extension examples of
// docs/structured-concurrency.md, on virtual time: what each prints (CPython 3.13 prints the same
// for the Python original beside the four that have one), and that the page shows each file as it is.
import { describeStructuredExamples, type StructuredExample } from "./helpers/structured-examples.ts";
import * as asCompleted from "../examples/structured/as-completed.ts";
import * as eagerTasks from "../examples/structured/eager-tasks.ts";
import * as gatherLimit from "../examples/structured/gather-limit.ts";
import * as gatherSignal from "../examples/structured/gather-signal.ts";
import * as shield from "../examples/structured/shield.ts";
import * as wait from "../examples/structured/wait.ts";

const examples: StructuredExample[] = [
  ["shield", shield.main, ["request cancelled; the save goes on", "saved report.txt", "request cancelled: true"], 0.6],
  ["wait", wait.main, ["first: us: 42 kB in 0.1 s", "cancelled: eu, asia", "after 0.5 s: 0 done, 1 pending"], 0.6],
  [
    "as-completed",
    asCompleted.main,
    [
      "got about (0.1 s)",
      "got blog (0.2 s)",
      "got home (0.3 s)",
      "faq finished first",
      "timed out; still running: shop",
    ],
    0.55,
  ],
  [
    "eager-tasks",
    eagerTasks.main,
    ["cached lookup done before the loop ran again: true", "database lookup done at once: false", "ages: 31, 42"],
    0.1,
  ],
  [
    "gather-limit",
    gatherLimit.main,
    [
      "[0.0 s] start page 1",
      "[0.0 s] start page 2",
      "[0.0 s] start page 3",
      "[0.1 s] start page 4",
      "[0.2 s] start page 5",
      "[0.3 s] start page 6",
      "[0.3 s] start page 7",
      "[0.4 s] start page 8",
      "page 1, page 2, page 3, page 4, page 5, page 6, page 7, page 8",
      "at most 3 at once; 0.7 s in all",
    ],
    0.7,
  ],
  [
    "gather-signal",
    gatherSignal.main,
    [
      "downloaded a.zip",
      "stopped b.zip: the user pressed stop",
      "stopped c.zip: the user pressed stop",
      "gather cancelled: the user pressed stop",
      "second gather cancelled at once: the user pressed stop",
    ],
    0.25,
  ],
];

describeStructuredExamples(
  "docs/structured-concurrency.md: shield, wait, asCompleted, eager tasks, gather options",
  examples,
);
