// The ring-buffer deque behind the waiters of locks and the items of queues.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deque } from "../../src/internal/deque.ts";

describe("Deque", () => {
  it("pushes at the back and shifts from the front, across growth and wrap-around", () => {
    const d = new Deque<number>();
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 5; i++) {
        d.push(next);
        model.push(next++);
      }
      for (let i = 0; i < 3; i++) assert.equal(d.shift(), model.shift());
      assert.equal(d.length, model.length);
    }
    assert.deepEqual(d.toArray(), model);
  });

  it("pops from the back", () => {
    const d = new Deque<string>();
    for (const s of ["a", "b", "c"]) d.push(s);
    assert.equal(d.pop(), "c");
    assert.equal(d.shift(), "a");
    assert.equal(d.pop(), "b");
    assert.equal(d.pop(), undefined);
    assert.equal(d.shift(), undefined);
    assert.equal(d.length, 0);
  });

  it("removes the first occurrence of an item anywhere, keeping the order of the rest", () => {
    const d = new Deque<number>();
    // Start part-way round the buffer so that the removal crosses the wrap point.
    for (let i = 0; i < 6; i++) d.push(-1);
    for (let i = 0; i < 6; i++) d.shift();
    for (const n of [1, 2, 3, 2, 4, 5, 6, 7, 8, 9]) d.push(n);
    assert.equal(d.remove(2), true);
    assert.deepEqual(d.toArray(), [1, 3, 2, 4, 5, 6, 7, 8, 9]);
    assert.equal(d.remove(1), true);
    assert.equal(d.remove(9), true);
    assert.equal(d.remove(42), false);
    assert.deepEqual(d.toArray(), [3, 2, 4, 5, 6, 7, 8]);
    assert.equal(d.at(0), 3);
    assert.equal(d.at(6), 8);
    assert.equal(d.at(7), undefined);
    assert.equal(d.at(-1), undefined);
  });

  it("matches an array model when items are removed from anywhere, in any order", () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const d = new Deque<number>();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 2000; step++) {
      const action = random(4);
      if (action < 2 || model.length === 0) {
        d.push(next);
        model.push(next++);
      } else if (action === 2) {
        assert.equal(d.shift(), model.shift());
      } else {
        const victim = model[random(model.length)] as number;
        model.splice(model.indexOf(victim), 1);
        assert.equal(d.remove(victim), true);
      }
      assert.equal(d.length, model.length);
    }
    assert.deepEqual(d.toArray(), model);
  });
});
