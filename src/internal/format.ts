// Short, safe descriptions of arbitrary values for error messages and reprs.

/** Describe `value` in a few words for an error message, never throwing. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "symbol":
      return value.toString();
    case "function":
      return `function ${value.name || "(anonymous)"}`;
    default: {
      try {
        const ctor = (value as { constructor?: { name?: string } }).constructor;
        const tag = Object.prototype.toString.call(value).slice(8, -1);
        if (tag === "Generator") return "a generator object";
        const own = typeof (value as { toString?: unknown }).toString === "function" ? String(value) : "";
        if (own.startsWith("<")) return own;
        return ctor?.name ? `an instance of ${ctor.name}` : `an object (${tag})`;
      } catch {
        return "an object";
      }
    }
  }
}

/** Describe an error as `Name: message`, the way tracebacks end. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return `non-Error value ${describe(error)}`;
}
