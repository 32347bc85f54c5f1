// Python-style repr for the tutorial's output, so the TypeScript programs print what CPython prints.

/** Format `value` as Python's `repr()` would for the values the tutorial prints. */
export function repr(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (value instanceof Error) return `${value.name}(${repr(value.message)})`;
  return String(value);
}
