// Start a private redis-server for the tests, the distributed example and its benchmark: on a free
// loopback port, with no persistence, and stopped by its pid.
import { spawn, spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";

/** How to get a redis-server, for messages shown when there is none. */
export const REDIS_INSTALL_HINT =
  "install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), " +
  "or set REDIS_SERVER to the path of a redis-server binary";

/** The redis-server binary to run (REDIS_SERVER, else redis-server on the PATH), or null when there is none. */
export function findRedisServer() {
  const binary = process.env.REDIS_SERVER || "redis-server";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return probe.status === 0 ? binary : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(1000, () => socket.destroy());
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(reply.startsWith("+PONG")));
    socket.on("data", (chunk) => {
      reply += chunk;
      if (reply.includes("\r\n")) socket.end();
    });
    socket.write("PING\r\n");
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start redis-server on a free port of 127.0.0.1, without persistence (no RDB, no AOF), and
 * resolve once it answers PING. `stop()` ends it by its pid and resolves when it has exited; the
 * process is also killed if this one exits first.
 */
export async function startRedisServer(options = {}) {
  const binary = options.binary ?? findRedisServer();
  if (binary === null) throw new Error(`redis-server not found: ${REDIS_INSTALL_HINT}`);
  let lastError = "";
  // A port found free can be taken before redis-server binds it; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        tmpdir(),
        "--loglevel",
        "warning",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    let dead = false;
    exited.then(() => {
      dead = true;
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const deadline = Date.now() + 15_000;
    while (!dead && Date.now() < deadline) {
      if (await ping(port)) {
        const url = `redis://127.0.0.1:${port}`;
        return {
          url,
          port,
          pid: child.pid,
          async stop() {
            process.removeListener("exit", killOnExit);
            if (!dead) process.kill(child.pid, "SIGTERM");
            await exited;
          },
        };
      }
      await sleep(50);
    }
    process.removeListener("exit", killOnExit);
    if (!dead) {
      process.kill(child.pid, "SIGKILL");
      await exited;
    }
    lastError = stderr.trim() || "it did not answer PING in time";
  }
  throw new Error(`redis-server did not start: ${lastError}`);
}
