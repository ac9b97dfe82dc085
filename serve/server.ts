/**
 * `deno task serve [DIR]`: the dashboard on a local port.
 * @module
 */
import { createDashboard } from "./app.ts";

/** Options of {@linkcode serveDashboard}. */
export interface ServeOptions {
  /** Folder of runs and suites. @default "runs" */
  readonly root?: string;
  /** Address to bind. @default "127.0.0.1" (loopback: nobody else can connect) */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 8080 */
  readonly port?: number;
  /** Poll for changes instead of watching. @default false */
  readonly poll?: boolean;
  /** Where the URL and warnings go. @default console.log */
  readonly log?: (line: string) => void;
}

/** A running dashboard server. */
export interface RunningDashboard {
  /** The URL it answers at. */
  readonly url: string;
  /** Stops the server and the change feed. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Starts the dashboard and prints its URL; a `host` other than loopback is
 * allowed with a warning, since the runs become readable by the network.
 * @throws {RangeError} for a port outside 0–65535.
 */
export async function serveDashboard(options: ServeOptions = {}): Promise<RunningDashboard> {
  const host = options.host ?? "127.0.0.1", port = options.port ?? 8080;
  const log = options.log ?? console.log;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`serve: --port must be an integer in 0–65535, got ${port}`);
  }
  const dash = await createDashboard({
    root: options.root ?? "runs",
    poll: options.poll,
    loopbackOnly: LOOPBACK.has(host),
  });
  if (!LOOPBACK.has(host)) {
    log(
      `warning: serving on ${host}, not loopback: anyone who can reach this machine can read ` +
        `every run under ${dash.root} (there is no login)`,
    );
  }
  let resolveUrl!: (u: string) => void;
  const ready = new Promise<string>((r) => (resolveUrl = r));
  const server = Deno.serve({
    hostname: host,
    port,
    onListen: ({ hostname, port }) => {
      const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolveUrl(`http://${shown}:${port}/`);
    },
  }, dash.handler);
  const url = await ready;
  log(`skiplab dashboard: ${url}  (runs in ${dash.root}; live updates by ${dash.liveMode})`);
  return {
    url,
    finished: server.finished,
    async shutdown() {
      dash.close();
      await server.shutdown();
    },
  };
}
