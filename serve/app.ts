/**
 * The dashboard's HTTP handler: read-only (GET and HEAD), its own assets
 * only, JSON from serve/api.ts, server-sent events from serve/live.ts, and
 * headers that keep a hostile run name inert (a Content-Security-Policy
 * allowing only the app's own scripts, `nosniff`).
 * @module
 */
import { type ClientAssets, indexPage, loadClientAssets } from "./assets.ts";
import { apiGet } from "./api.ts";
import { ChangeFeed } from "./live.ts";
import { isLoopbackHost, pathSegments, RefusedPath } from "./safety.ts";

/** Options of {@linkcode createDashboard}. */
export interface DashboardOptions {
  /** The folder of runs and suites to serve. */
  readonly root: string;
  /** Poll for changes instead of watching. @default false */
  readonly poll?: boolean;
  /** How often open pages are told to refresh statuses that age without writes, ms. @default 10000 */
  readonly tickMs?: number;
  /**
   * Answer only requests whose `Host` is a loopback name (set when bound to
   * loopback, against DNS rebinding). @default false
   */
  readonly loopbackOnly?: boolean;
}

/** A dashboard over one folder. */
export interface Dashboard {
  /** The real path served. */
  readonly root: string;
  /** How changes are found (`watch` or `poll`). */
  readonly liveMode: "watch" | "poll";
  /** Answers one request. */
  handler(request: Request): Promise<Response>;
  /** Stops the change feed and ends open event streams. */
  close(): void;
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  json: "application/json; charset=utf-8",
};

function respond(status: number, body: BodyInit | null, type: string, extra = {}): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": TYPES[type] ?? type, ...extra },
  });
}

const json = (status: number, value: unknown) => respond(status, JSON.stringify(value), "json");

/**
 * Makes the dashboard over `options.root`.
 * @throws {Deno.errors.NotFound} naming the folder when it is missing or not a folder.
 */
export async function createDashboard(options: DashboardOptions): Promise<Dashboard> {
  const stat = await Deno.stat(options.root).catch(() => undefined);
  if (!stat?.isDirectory) {
    throw new Deno.errors.NotFound(
      `Cannot serve '${options.root}': it is not a folder (give the folder of your runs, e.g. runs/)`,
    );
  }
  const root = await Deno.realPath(options.root);
  const assets: ClientAssets = await loadClientAssets();
  const index = indexPage(`skiplab runs: ${root}`);
  const feed = new ChangeFeed(root, { poll: options.poll });
  await feed.start();
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const enc = new TextEncoder();
  const send = (event: string, data: unknown) => {
    const chunk = enc.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const c of streams) {
      try {
        c.enqueue(chunk);
      } catch {
        streams.delete(c);
      }
    }
  };
  const unsubscribe = feed.subscribe((paths) => send("change", { paths }));
  const ticker = setInterval(
    () => send("tick", { at: new Date().toISOString() }),
    options.tickMs ?? 10_000,
  );

  function events(): Response {
    let controller: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        streams.add(c);
        c.enqueue(enc.encode(`retry: 1000\nevent: hello\ndata: {"mode":"${feed.mode}"}\n\n`));
      },
      cancel() {
        streams.delete(controller);
      },
    });
    return respond(200, body, "text/event-stream", { connection: "keep-alive" });
  }

  async function handler(request: Request): Promise<Response> {
    if (options.loopbackOnly && !isLoopbackHost(request.headers.get("host"))) {
      const host = JSON.stringify(request.headers.get("host"));
      return respond(
        403,
        `refused: Host ${host} is not a loopback name (localhost, 127.0.0.1, [::1]); this ` +
          "dashboard is bound to loopback\n",
        "text/plain",
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return respond(405, "read-only: GET and HEAD only\n", "text/plain", { allow: "GET, HEAD" });
    }
    try {
      const segments = pathSegments(request.url);
      const path = segments.join("/");
      if (path === "" || path === "index.html") return respond(200, index, "html");
      if (segments[0] === "assets" && segments.length === 2 && assets.has(segments[1])) {
        return respond(200, assets.get(segments[1])!, segments[1].split(".").pop()!);
      }
      if (path === "api/events") return events();
      if (path === "favicon.ico") return respond(204, null, "text/plain");
      return json(200, await apiGet(root, segments));
    } catch (e) {
      if (e instanceof RefusedPath) return json(403, { error: e.message });
      if (e instanceof Deno.errors.NotFound) return json(404, { error: e.message });
      if (e instanceof SyntaxError) return json(422, { error: e.message });
      return json(500, { error: (e as Error).message });
    }
  }

  return {
    root,
    get liveMode() {
      return feed.mode;
    },
    handler,
    close() {
      unsubscribe();
      clearInterval(ticker);
      feed.close();
      for (const c of streams) {
        try {
          c.close();
        } catch { /* already closed by the client */ }
      }
      streams.clear();
    },
  };
}
