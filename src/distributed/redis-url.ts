// Where Redis is, and how to name it in messages without leaking its password.

/** BullMQ's own key prefix, the default of producers and workers alike. */
export const DEFAULT_PREFIX = "bull";

/** The Redis URL to use when none is given: `REDIS_URL` from the environment, else the local default port. */
export function defaultRedisUrl(): string {
  return process.env.REDIS_URL || "redis://127.0.0.1:6379";
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
