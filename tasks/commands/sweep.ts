/**
 * `deno task sweep FILE [--workers N | --queue redis://HOST:PORT]`: expands a
 * sweep file into members, validates all of them, then trains them here (one
 * after another, or N side by side with the cores divided between them) or
 * enqueues them for `deno task worker` on any number of machines. Running the
 * same file (or `sweep <sweep dir>`) again resumes it: finished members are
 * skipped, interrupted ones continue exactly from checkpoints/last, because
 * every member runs as `train --resume <member dir>`.
 * @module
 */
import { dirname, resolve } from "node:path";
import { defineCommand } from "../command.ts";
import { ALL_ENV, grant, hostOf, NONE } from "../permissions.ts";
import { SETTING_FLAGS } from "./_settings.ts";

/** `deno task sweep`. */
export const sweep = defineCommand({
  name: "sweep",
  stops: true,
  summary: "Train every member of a grid, random or seed sweep here, or queue them for workers",
  usage: [
    "<sweep.yaml | sweep dir> [--workers N] [flags]",
    "<sweep.yaml> --queue redis://HOST:PORT [--detach]",
  ],
  details: "Every member runs as train --resume <member dir>, so running the same file (or its " +
    "directory)\nagain resumes it: finished members are skipped, interrupted ones continue exactly.",
  flags: {
    ...SETTING_FLAGS,
    resume: { type: "string", value: "DIR", help: "the sweep directory to continue" },
    workers: {
      type: "string",
      value: "N",
      default: "1",
      help: "members side by side, cores divided",
    },
    queue: {
      type: "string",
      value: "URL",
      help: "enqueue for `deno task worker` (redis://HOST:PORT)",
    },
    detach: { type: "boolean", help: "with --queue: return once queued instead of waiting" },
  },
  permissions: ({ values, positionals }, where) => {
    const at = (p: string) => resolve(where.cwd, p);
    const out = at(values.out ?? "runs");
    const named = [...positionals, ...(values.resume ? [values.resume] : [])].map(at);
    const queue = values.queue === undefined ? [] : [hostOf(values.queue)];
    return grant(NONE, {
      read: [
        where.root,
        out,
        ...named,
        ...named.filter((p) => /\.ya?ml$/i.test(p)).map(dirname),
        ...(where.cacheDir === undefined ? [] : [resolve(where.cacheDir)]),
        ...(values.plugin ?? []).map(at),
      ],
      write: [out, ...named.filter((p) => !/\.ya?ml$/i.test(p))],
      net: queue,
      env: queue.length ? ALL_ENV : NONE.env,
      // Deno, which trains each member under the permissions of `train --resume <member>`.
      run: [Deno.execPath()],
      // A local sweep times a few steps of each model (the native backend) for its estimate.
      ffi: queue.length === 0,
      sys: queue.length ? ["hostname"] : ["cpus", "hostname"],
    });
  },
  run: async ({ values, positionals }, { signal, launch }) =>
    (await import("./_sweep_run.ts")).sweepRun(
      values,
      positionals,
      signal,
      (dir) => launch(["train", "--resume", dir]),
    ),
});
