// Types of redis-server.mjs, for the TypeScript tests and examples that start a private Redis.

/** How to get a redis-server, for messages shown when there is none. */
export declare const REDIS_INSTALL_HINT: string;

/** The redis-server binary to run (REDIS_SERVER, else redis-server on the PATH), or null when there is none. */
export declare function findRedisServer(): string | null;

/** A private redis-server started by startRedisServer. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** End the server by its pid; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Start redis-server on a free loopback port, without persistence; resolves once it answers PING. */
export declare function startRedisServer(options?: { binary?: string | null }): Promise<PrivateRedis>;
