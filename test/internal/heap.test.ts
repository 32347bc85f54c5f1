// The loop's timer queue (a heap plus a run of timers pushed in order): it must pop in exactly
// (deadline, sequence) order whatever order timers arrive in, across filters and clears.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TimerHeap } from "../../src/internal/heap.ts";

interface Item {
  _when: number;
  _seq: number;
  id: number;
}

type Op = { op: "push"; when: number } | { op: "pop" } | { op: "filter"; modulo: number } | { op: "clear" };

const operation: fc.Arbitrary<Op> = fc.oneof(
  // Deadlines from a small range, so that ties, in-order runs and out-of-order pushes all happen.
  { weight: 6, arbitrary: fc.record({ op: fc.constant("push" as const), when: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 3, arbitrary: fc.constant({ op: "pop" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("filter" as const), modulo: fc.integer({ min: 2, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "clear" as const }) },
);

function earliest(model: Item[]): Item | undefined {
  let best: Item | undefined;
  for (const item of model) {
    if (best === undefined || item._when < best._when || (item._when === best._when && item._seq < best._seq)) {
      best = item;
    }
  }
  return best;
}

describe("TimerHeap", () => {
  it("pops in (deadline, sequence) order, like a plain sorted list", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (ops) => {
        const heap = new TimerHeap<Item>();
        let model: Item[] = [];
        let seq = 0;
        for (const step of ops) {
          if (step.op === "push") {
            const item = { _when: step.when, _seq: seq, id: seq };
            seq++;
            heap.push(item);
            model.push(item);
          } else if (step.op === "pop") {
            const expected = earliest(model);
            assert.equal(heap.peek(), expected);
            assert.equal(heap.pop(), expected);
            model = model.filter((item) => item !== expected);
          } else if (step.op === "filter") {
            const keep = (item: Item): boolean => item.id % step.modulo !== 0;
            heap.filter(keep);
            model = model.filter(keep);
          } else {
            assert.deepEqual(
              heap
                .clear()
                .map((item) => item.id)
                .sort((a, b) => a - b),
              model.map((item) => item.id).sort((a, b) => a - b),
            );
            model = [];
          }
          assert.equal(heap.size, model.length);
        }
        while (model.length > 0) {
          const expected = earliest(model);
          assert.equal(heap.pop(), expected);
          model = model.filter((item) => item !== expected);
        }
        assert.equal(heap.pop(), undefined);
      }),
      { numRuns: 500 },
    );
  });

  it("returns a timer pushed out of order before the earlier in-order ones it precedes", () => {
    const heap = new TimerHeap<Item>();
    for (let i = 0; i < 1000; i++) heap.push({ _when: i, _seq: i, id: i });
    // Out of order: goes to the heap part, and still comes out first.
    heap.push({ _when: -1, _seq: 1000, id: 1000 });
    assert.equal(heap.pop()?.id, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(heap.pop()?.id, i);
  });
});
