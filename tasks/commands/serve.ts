/**
 * `deno task serve [DIR]`: the dashboard, a local web app over the runs in
 * DIR. It may read DIR and its own client files and listen on the bound host
 * and port; nothing else (no writes, no other host).
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";

/** `deno task serve`. */
export const serve = defineCommand({
  name: "serve",
  summary:
    "The dashboard: a local web app over the runs in DIR (default runs/), live while they train",
  usage: ["[DIR] [--port N] [--host H] [--poll]"],
  flags: {
    port: {
      type: "string",
      value: "N",
      default: "8080",
      help: "port to listen on (0: any free one)",
    },
    host: { type: "string", value: "H", default: "127.0.0.1", help: "address to bind" },
    poll: { type: "boolean", help: "watch DIR by polling (network file systems)" },
  },
  permissions: ({ values, positionals }, where) => {
    const host = values.host ?? "127.0.0.1";
    const port = values.port ?? "8080";
    const bound = host.includes(":") ? `[${host}]` : host;
    return grant(NONE, {
      // The charts' Vega and Vega-Lite come from the npm packages, never a CDN.
      read: [
        resolve(where.cwd, positionals[0] ?? "runs"),
        resolve(where.root, "serve/client"),
        resolve(where.root, "node_modules"),
      ],
      net: [port === "0" ? bound : `${bound}:${port}`],
      // npm:yaml (reading config.yaml) looks at its debug switches.
      env: ["LOG_TOKENS", "LOG_STREAM"],
    });
  },
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError("serve: give at most one folder of runs");
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (values.port !== undefined && (values.port.trim() === "" || !Number.isInteger(port))) {
      throw new UsageError(`serve --port: expected an integer, got '${values.port}'`);
    }
    const { serveDashboard } = await import("../../serve/mod.ts");
    const server = await serveDashboard({
      root: positionals[0] ?? "runs",
      host: values.host,
      port,
      poll: values.poll,
    });
    const stop = () => void server.shutdown();
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, stop);
    await server.finished;
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, stop);
    return 0;
  },
});
