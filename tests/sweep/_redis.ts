/**
 * Test helper: a real `redis-server` (Debian's `redis-server`) on 127.0.0.1 and
 * a free port, with its data in a temporary folder and the append-only file
 * on, so that a restart keeps the queue as a deployed Redis would. Without
 * the program the tests are ignored and say why, unless
 * `SKIPLAB_REQUIRE_REDIS=1` (set by .ci/run once it has installed it), where
 * a missing server fails.
 * @module
 */

/** Set (to 1) where redis-server was installed for the tests: skipping is an error. */
const REQUIRED = "SKIPLAB_REQUIRE_REDIS";

function findRedis(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/redis-server`).isFile) return `${dir}/redis-server`;
    } catch { /* not here */ }
  }
  return null;
}

const program = findRedis();
if (program === null) {
  const why = "no redis-server on PATH (apt install redis-server)";
  if (Deno.env.get(REQUIRED) === "1") throw new Error(`${REQUIRED}=1 but ${why}`);
  console.log(`skipping redis tests: ${why}`);
}

/** True when the Redis tests must be ignored (no redis-server here). */
export const ignoreRedis: boolean = program === null;

/** A running Redis the test owns. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (saving its append-only file) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Empties the server (FLUSHALL), as a restart without persistence would. */
  flushAll(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Sends one inline command and returns the first line of the reply. */
async function command(port: number, line: string): Promise<string> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await c.write(new TextEncoder().encode(`${line}\r\n`));
    const buf = new Uint8Array(64);
    const n = await c.read(buf);
    return n ? new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0] : "";
  } finally {
    c.close();
  }
}

async function ready(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if (await command(port, "PING") === "+PONG") return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
}

/** Starts a redis-server for one test. */
export async function startRedis(): Promise<TestRedis> {
  if (program === null) throw new Error("no redis-server (check ignoreRedis first)");
  const dir = await Deno.makeTempDir({ prefix: "skiplab-redis-" });
  const port = freePort();
  const spawn = () =>
    new Deno.Command(program, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--save",
        "",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  let server = spawn();
  await ready(port);
  const halt = async () => {
    server.kill("SIGTERM"); // redis-server shuts down cleanly on SIGTERM, flushing its AOF
    await server.status;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await halt();
      server = spawn();
      await ready(port);
    },
    async flushAll() {
      const reply = await command(port, "FLUSHALL");
      if (reply !== "+OK") throw new Error(`FLUSHALL answered '${reply}'`);
    },
    async stop() {
      await halt().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
