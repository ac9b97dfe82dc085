/**
 * `deno task worker --queue redis://HOST:PORT --runs DIR`: trains queued
 * sweep members under DIR, one at a time, each in a child process under the
 * permissions of `train --resume <member>` (./_worker_run.ts, loaded only
 * when the command runs, with the queue's client). A job carries data, never
 * code: it may name registered plugins and the plugin files given here with
 * `--plugin-file`, nothing else (./_job_check.ts).
 * @module
 */
import { resolve } from "node:path";
import { defineCommand } from "../command.ts";
import { ALL_ENV, grant, hostOf, NONE } from "../permissions.ts";

/** `deno task worker`. */
export const worker = defineCommand({
  name: "worker",
  stops: true,
  summary: "Train queued sweep members, on as many machines as you like",
  usage: [
    "--queue redis://HOST:PORT --runs DIR [--plugin-file PATH]… [--threads N] [--lock-seconds S] " +
    "[--idle-exit S]",
  ],
  flags: {
    queue: { type: "string", value: "URL", help: "the Redis queue (redis://HOST:PORT)" },
    runs: {
      type: "string",
      value: "DIR",
      help: "where members are trained, as DIR/<sweep>/<member>/",
    },
    "plugin-file": {
      type: "string",
      multiple: true,
      value: "PATH",
      help: "a plugin file jobs may name (repeat for more); jobs naming others fail",
    },
    threads: {
      type: "string",
      value: "N",
      help: "threads per member (default OMP_NUM_THREADS or all)",
    },
    "lock-seconds": {
      type: "string",
      value: "S",
      default: "30",
      help: "how long a job's lock lasts unrenewed",
    },
    "idle-exit": { type: "string", value: "S", help: "exit after S seconds with nothing to do" },
  },
  permissions: ({ values }, where) => {
    const runs = values.runs === undefined ? [] : [resolve(where.cwd, values.runs)];
    const cache = where.cacheDir === undefined ? [] : [resolve(where.cacheDir)];
    const plugins = (values["plugin-file"] ?? []).map((f) => resolve(where.cwd, f));
    return grant(NONE, {
      read: [where.root, ...cache, ...runs, ...plugins],
      write: runs,
      net: values.queue === undefined ? [] : [hostOf(values.queue)],
      // ioredis's `debug` lists every variable when it loads.
      env: ALL_ENV,
      // Deno, which trains each member under the permissions of `train --resume <member>`.
      run: [Deno.execPath()],
      sys: ["hostname"],
    });
  },
  async run({ values, positionals }, { signal, launch }) {
    const { workerRun } = await import("./_worker_run.ts");
    return await workerRun(
      values,
      positionals,
      (dir) => launch(["train", "--resume", dir]),
      signal,
    );
  },
});
