// Exception groups: construction, the BaseExceptionGroup/ExceptionGroup choice, split, subgroup
// and derive, checked against what CPython 3.13's built-ins do with the same members.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaseExceptionGroup, CancelledError, ExceptionGroup, ValueError } from "asyncio-ts";

class KeyError extends Error {
  override name = "KeyError";
}

/** A thrown value that is not an Error: the JavaScript stand-in for a bare BaseException. */
class Interrupt {}

/** Python's `ExceptionGroup("m", [ValueError(1), TypeError(2), ExceptionGroup("n", [ValueError(3), KeyError(4)])])`. */
function sample() {
  const v1 = new ValueError("1");
  const t2 = new TypeError("2");
  const v3 = new ValueError("3");
  const k4 = new KeyError("4");
  const inner = new ExceptionGroup("n", [v3, k4]);
  const group = new ExceptionGroup("m", [v1, t2, inner]);
  return { group, inner, v1, t2, v3, k4 };
}

/** The shape of a group as Python's repr shows it: `["m", [v1, ["n", [v3]]]]`. */
function shape(value: unknown): unknown {
  if (value instanceof BaseExceptionGroup) return [value.message, value.exceptions.map(shape)];
  return value;
}

describe("BaseExceptionGroup and ExceptionGroup", () => {
  it("is an AggregateError whose errors are its exceptions, so JavaScript tooling prints them", () => {
    const { group, v1, t2, inner } = sample();
    assert.ok(group instanceof AggregateError, "an ExceptionGroup is an AggregateError");
    assert.ok(group instanceof Error, "an ExceptionGroup is an Error");
    assert.deepEqual(group.errors, [v1, t2, inner]);
    assert.deepEqual(group.exceptions, [v1, t2, inner]);
    assert.equal(group.name, "ExceptionGroup");
  });

  it("keeps the message as given and counts the members in its string form", () => {
    const { group } = sample();
    assert.equal(group.message, "m");
    assert.equal(String(group), "ExceptionGroup: m (3 sub-exceptions)");
    assert.equal(String(new ExceptionGroup("q", [new Error()])), "ExceptionGroup: q (1 sub-exception)");
    assert.match(group.stack ?? "", /^ExceptionGroup: m\n/);
  });

  it("freezes its list of exceptions", () => {
    const { group } = sample();
    assert.ok(Object.isFrozen(group.exceptions), "exceptions is frozen");
    assert.throws(() => (group.exceptions as unknown[]).push(new Error()), TypeError);
  });

  it("becomes an ExceptionGroup when built as a BaseExceptionGroup of ordinary errors", () => {
    const group = new BaseExceptionGroup("x", [new ValueError("1")]);
    assert.ok(group instanceof ExceptionGroup, "BaseExceptionGroup() of errors is an ExceptionGroup");
    assert.equal(group.constructor, ExceptionGroup);
  });

  it("stays a BaseExceptionGroup when a member is a CancelledError, a non-Error value or a BaseExceptionGroup", () => {
    const base = new BaseExceptionGroup("b", [new CancelledError()]);
    assert.equal(base.constructor, BaseExceptionGroup);
    assert.equal(new BaseExceptionGroup("x", [new ValueError("1"), new Interrupt()]).constructor, BaseExceptionGroup);
    assert.equal(new BaseExceptionGroup("x", ["a thrown string"]).constructor, BaseExceptionGroup);
    assert.equal(new BaseExceptionGroup("x", [base]).constructor, BaseExceptionGroup);
    // An ExceptionGroup nested in a BaseExceptionGroup is an ordinary error.
    assert.equal(new BaseExceptionGroup("x", [new ExceptionGroup("y", [new Error()])]).constructor, ExceptionGroup);
    assert.equal(base.name, "BaseExceptionGroup");
  });

  it("refuses to hold a cancellation or a non-Error value in an ExceptionGroup, naming the fix", () => {
    for (const member of [new CancelledError(), new Interrupt(), new BaseExceptionGroup("b", [new Interrupt()])]) {
      assert.throws(() => new ExceptionGroup("x", [member as Error]), {
        name: "TypeError",
        message: /Cannot nest .* in an ExceptionGroup: use BaseExceptionGroup/,
      });
    }
  });

  it("names the subclass that refuses a cancellation among its members", () => {
    class MyGroup extends ExceptionGroup {}
    assert.throws(() => new MyGroup("x", [new CancelledError()]), { name: "TypeError", message: /in 'MyGroup'/ });
  });

  it("keeps a BaseExceptionGroup subclass as it is, even when every member is an ordinary error", () => {
    class MyBaseGroup extends BaseExceptionGroup {}
    const group = new MyBaseGroup("x", [new ValueError("1")]);
    assert.equal(group.constructor, MyBaseGroup);
    assert.equal(group.name, "MyBaseGroup");
  });

  it("rejects an empty list, a message that is not a string and exceptions that are not a list", () => {
    assert.throws(() => new ExceptionGroup("x", []), ValueError);
    assert.throws(() => new ExceptionGroup(1 as unknown as string, [new Error()]), TypeError);
    assert.throws(() => new ExceptionGroup("x", new Error() as unknown as Error[]), TypeError);
  });

  it("accepts any iterable of members", () => {
    const members = new Set([new ValueError("1"), new KeyError("2")]);
    assert.deepEqual(new ExceptionGroup("x", members).exceptions, [...members]);
  });

  describe("split", () => {
    it("splits by class recursively, keeping nested groups and messages", () => {
      const { group, v1, t2, v3, k4 } = sample();
      const [match, rest] = group.split(ValueError);
      assert.deepEqual(shape(match), ["m", [v1, ["n", [v3]]]]);
      assert.deepEqual(shape(rest), ["m", [t2, ["n", [k4]]]]);
      assert.ok(match instanceof ExceptionGroup && rest instanceof ExceptionGroup, "both parts are ExceptionGroups");
    });

    it("splits by an array of classes", () => {
      const { group, v1, t2, inner } = sample();
      const [match, rest] = group.split([ValueError, KeyError]);
      assert.deepEqual(shape(match), ["m", [v1, shape(inner)]]);
      assert.deepEqual(shape(rest), ["m", [t2]]);
      // Every member of the nested group matched but not the group itself: it is rebuilt, as in Python.
      assert.notEqual(match?.exceptions[1], inner);
    });

    it("returns the group itself and no rest when the group matches as a whole", () => {
      const { group } = sample();
      assert.deepEqual(group.split(Error), [group, null]);
      assert.deepEqual(group.split(ExceptionGroup), [group, null]);
      assert.deepEqual(
        group.split(() => true),
        [group, null],
      );
    });

    it("returns no match when nothing matches", () => {
      const { group, v1, t2, inner } = sample();
      const [match, rest] = group.split(SyntaxError);
      assert.equal(match, null);
      assert.deepEqual(shape(rest), ["m", [v1, t2, shape(inner)]]);
    });

    it("calls a predicate on the group, then on each member and nested group, depth first", () => {
      const { group } = sample();
      const calls: string[] = [];
      group.split((e) => {
        calls.push((e as Error).name);
        return false;
      });
      assert.deepEqual(calls, [
        "ExceptionGroup",
        "ValueError",
        "TypeError",
        "ExceptionGroup",
        "ValueError",
        "KeyError",
      ]);
    });

    it("matches a nested group that satisfies a predicate as a whole", () => {
      const { group, inner } = sample();
      const sub = group.subgroup((e) => e instanceof ExceptionGroup && e.message === "n");
      assert.deepEqual(shape(sub), ["m", [shape(inner)]]);
      assert.equal(sub?.exceptions[0], inner);
    });

    it("narrows the match's members with a type-guard predicate", () => {
      const { group } = sample();
      const [match] = group.split((e): e is ValueError => e instanceof ValueError);
      const first: ValueError | BaseExceptionGroup<ValueError> | undefined = match?.exceptions[0];
      assert.ok(first instanceof ValueError, "first instanceof ValueError");
    });

    it("splits a BaseExceptionGroup into a BaseExceptionGroup and an ExceptionGroup", () => {
      const cancelled = new CancelledError();
      const error = new ValueError();
      const group = new BaseExceptionGroup("b", [cancelled, error]);
      const [errors, rest] = group.split(ValueError);
      assert.equal(errors?.constructor, ExceptionGroup);
      assert.equal(rest?.constructor, BaseExceptionGroup);
      const [cancellations, others] = group.split(CancelledError);
      assert.deepEqual(cancellations?.exceptions, [cancelled]);
      assert.deepEqual(others?.exceptions, [error]);
    });

    it("matches non-Error members by predicate only", () => {
      const group = new BaseExceptionGroup("b", ["boom", new ValueError()]);
      const [strings, rest] = group.split((e) => typeof e === "string");
      assert.deepEqual(strings?.exceptions, ["boom"]);
      assert.ok(rest instanceof ExceptionGroup, "the rest holds ordinary errors only");
    });

    it("copies the group's cause and stack onto both parts", () => {
      const { group } = sample();
      const cause = new KeyError("why");
      Object.defineProperty(group, "cause", { value: cause, configurable: true, writable: true });
      const [match, rest] = group.split(ValueError);
      assert.equal(match?.cause, cause);
      assert.equal(rest?.cause, cause);
      assert.equal(match?.stack, group.stack);
      // A group without a cause gives parts without one.
      const [plain] = sample().group.split(ValueError);
      assert.ok(plain !== null && !Object.hasOwn(plain, "cause"), "no cause was invented");
    });

    it("builds the parts of a subclass with derive(), which a subclass overrides to keep its class", () => {
      class Plain extends ExceptionGroup {}
      const [plainMatch] = new Plain("p", [new ValueError(), new KeyError()]).split(ValueError);
      // Without an override, derive() makes an ordinary ExceptionGroup, as in Python.
      assert.equal(plainMatch?.constructor, ExceptionGroup);

      class Tagged extends ExceptionGroup {
        tag = "";
        override derive(exceptions: Iterable<unknown>): Tagged {
          const derived = new Tagged(this.message, exceptions as Iterable<Error>);
          derived.tag = this.tag;
          return derived;
        }
      }
      const tagged = new Tagged("t", [new ValueError(), new KeyError()]);
      tagged.tag = "kept";
      const [match, rest] = tagged.split(ValueError);
      assert.ok(match instanceof Tagged && rest instanceof Tagged, "both parts keep the subclass");
      assert.equal(match.tag, "kept");
    });

    it("refuses a derive() that does not return an exception group", () => {
      class Broken extends ExceptionGroup {
        override derive(): BaseExceptionGroup {
          return {} as BaseExceptionGroup;
        }
      }
      assert.throws(() => new Broken("x", [new ValueError(), new KeyError()]).split(ValueError), {
        name: "TypeError",
        message: /derive\(\) must return an exception group/,
      });
    });

    it("refuses a condition that is neither a class, an array of classes, nor a function", () => {
      const { group } = sample();
      assert.throws(() => group.split("ValueError" as never), { name: "TypeError", message: /error class/ });
      assert.throws(() => group.split([ValueError, 3] as never), TypeError);
    });

    it("lets an error thrown by the predicate propagate", () => {
      const { group } = sample();
      const boom = new KeyError("p");
      assert.throws(
        () =>
          group.split(() => {
            throw boom;
          }),
        (e) => e === boom,
      );
    });
  });

  describe("subgroup", () => {
    it("returns a new group when every member matches but the group itself does not", () => {
      const v1 = new ValueError("1");
      const v2 = new ValueError("2");
      const group = new ExceptionGroup("m", [v1, v2]);
      const sub = group.subgroup(ValueError);
      assert.notEqual(sub, group);
      assert.deepEqual(shape(sub), ["m", [v1, v2]]);
    });

    it("returns the group itself when it matches, and null when nothing does", () => {
      const { group } = sample();
      assert.equal(group.subgroup(ExceptionGroup), group);
      assert.equal(group.subgroup(SyntaxError), null);
    });

    it("calls the predicate only as often as split does", () => {
      const { group } = sample();
      let calls = 0;
      group.subgroup(() => {
        calls++;
        return false;
      });
      assert.equal(calls, 6);
    });
  });
});
