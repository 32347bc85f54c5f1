// The error envelope, in-process: what encodeError keeps and how decodeError rebuilds it.
import assert from "node:assert/strict";
import { deserialize, serialize } from "node:v8";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { decodeError, encodeError, isErrorEnvelope, registerErrorClass } from "asyncio-ts/executors";

/** Send an envelope the way a child process would: through V8's serializer. */
function roundTrip(thrown: unknown): unknown {
  return decodeError(deserialize(serialize(encodeError(thrown))));
}

class QuotaError extends Error {
  override name = "QuotaError";
  limit: number;
  constructor(limit: number) {
    super(`over the quota of ${limit}`);
    this.limit = limit;
    throw new Error("decodeError must not run the constructor");
  }
}

describe("encodeError and decodeError", () => {
  it("rebuild a registered class without running its constructor, fields and stack included", () => {
    registerErrorClass(QuotaError);
    const original = Reflect.construct(Error, ["over the quota of 5"], QuotaError) as QuotaError;
    Object.assign(original, { name: "QuotaError", limit: 5 });
    const rebuilt = roundTrip(original) as QuotaError;
    assert.ok(rebuilt instanceof QuotaError);
    assert.equal(rebuilt.name, "QuotaError");
    assert.equal(rebuilt.message, "over the quota of 5");
    assert.equal(rebuilt.limit, 5);
    assert.equal(rebuilt.stack, original.stack);
  });

  it("rebuild asyncio-ts's own errors as their classes", () => {
    for (const cls of [asyncio.RuntimeError, asyncio.ValueError, asyncio.TimeoutError, asyncio.QueueFull]) {
      const rebuilt = roundTrip(new cls("x"));
      assert.ok(rebuilt instanceof cls, cls.name);
    }
  });

  it("bring a CancelledError back as a plain Error, so it is not mistaken for a cancellation of the caller", () => {
    const rebuilt = roundTrip(new asyncio.CancelledError("inside the worker")) as Error;
    assert.equal(rebuilt instanceof asyncio.CancelledError, false);
    assert.equal(rebuilt.name, "CancelledError");
    assert.equal(rebuilt.message, "inside the worker");
  });

  it("keep code, a non-Error cause, and Node's system error fields", () => {
    const error = Object.assign(new Error("ENOENT: no such file", { cause: { attempt: 2 } }), {
      code: "ENOENT",
      errno: -2,
      syscall: "open",
      path: "/missing",
    });
    const rebuilt = roundTrip(error) as typeof error;
    assert.equal(rebuilt.code, "ENOENT");
    assert.equal(rebuilt.errno, -2);
    assert.equal(rebuilt.syscall, "open");
    assert.equal(rebuilt.path, "/missing");
    assert.deepEqual(rebuilt.cause, { attempt: 2 });
  });

  it("describe a field that cannot be copied instead of failing or dropping it", () => {
    const error = Object.assign(new Error("with a callback"), { retry: () => 1, symbol: Symbol("s") });
    const envelope = encodeError(error);
    assert.doesNotThrow(() => serialize(envelope));
    const rebuilt = decodeError(envelope) as Error & { retry: unknown; symbol: unknown };
    assert.match(String(rebuilt.retry), /^\[not copied: it is a function/);
    assert.match(String(rebuilt.symbol), /^\[not copied: it is a symbol/);
  });

  it("survive a cause cycle and a throwing name getter", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as Error & { cause: unknown }).cause = b;
    const rebuilt = roundTrip(a) as Error & { cause: Error & { cause?: unknown } };
    assert.equal(rebuilt.cause.message, "b");
    assert.equal(rebuilt.cause.cause, undefined);
    const odd = new Error("odd");
    Object.defineProperty(odd, "name", {
      get() {
        throw new Error("no name");
      },
    });
    assert.equal((roundTrip(odd) as Error).message, "odd");
  });

  it("turn a thrown value back into that value, or a SerializationError when it cannot be copied", () => {
    assert.deepEqual(roundTrip({ status: 404 }), { status: 404 });
    assert.equal(roundTrip(undefined), undefined);
    const refused = roundTrip(Symbol("thrown"));
    assert.ok(refused instanceof asyncio.SerializationError);
  });

  it("recognise envelopes and refuse anything else", () => {
    assert.equal(isErrorEnvelope(encodeError(new Error("x"))), true);
    assert.equal(isErrorEnvelope({ name: "Error", message: "x" }), false);
    assert.throws(() => decodeError({} as never), TypeError);
    assert.throws(() => registerErrorClass(Object as never), TypeError);
  });
});
