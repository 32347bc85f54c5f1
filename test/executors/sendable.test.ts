// findUnsendable: what may cross to a worker thread or process, and where a problem is reported.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { findUnsendable } from "asyncio-ts/executors";

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

describe("findUnsendable", () => {
  it("accepts plain data and the built-in types both transports copy", () => {
    const value = {
      list: [1, "two", null, undefined, 3n, true],
      nested: { map: new Map([[{ k: 1 }, new Set([new Date(0)])]]), re: /x/g, bytes: new Uint8Array(2) },
      buffer: new ArrayBuffer(4),
      error: new TypeError("ok inside data"),
      boxed: Object(1),
      nullProto: Object.assign(Object.create(null), { a: 1 }),
    };
    assert.equal(findUnsendable(value, "thread"), null);
    assert.equal(findUnsendable(value, "process"), null);
  });

  it("reports the path of a function, a symbol, a Promise or a class instance deep inside a value", () => {
    assert.deepEqual(findUnsendable({ a: [{ b: () => 1 }] }, "thread")?.path, ".a[0].b");
    assert.deepEqual(findUnsendable({ "odd key": Symbol("s") }, "thread")?.path, '["odd key"]');
    assert.match(findUnsendable([Promise.resolve(1)], "thread")?.reason ?? "", /is a Promise/);
    const point = findUnsendable({ at: new Point(1, 2) }, "process");
    assert.equal(point?.path, ".at");
    assert.match(point?.reason ?? "", /instance of Point, which would arrive as a plain object/);
    assert.match(findUnsendable(new Map([["k", new WeakMap()]]), "thread")?.reason ?? "", /WeakMap/);
  });

  it("tells threads and processes apart: shared memory and ports cross only to threads", () => {
    const { port1, port2 } = new MessageChannel();
    try {
      assert.equal(findUnsendable(new SharedArrayBuffer(4), "thread"), null);
      assert.match(findUnsendable(new SharedArrayBuffer(4), "process")?.reason ?? "", /another process cannot share/);
      assert.match(findUnsendable(port1, "thread")?.reason ?? "", /not moved: pass it with transfer/);
      assert.equal(findUnsendable(port1, "thread", new Set([port1])), null);
      assert.match(findUnsendable(port1, "process", new Set([port1]))?.reason ?? "", /cannot cross to another process/);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it("walks cycles and very deep values without overflowing the stack", () => {
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic);
    assert.equal(findUnsendable(cyclic, "thread"), null);
    let deep: { next: unknown } = { next: null };
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    assert.equal(findUnsendable(deep, "process"), null);
  });
});
