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
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { renderSweepReport } from "../analysis/mod.ts";
import { defaultCacheDir } from "../data/cache_dir.ts";
import { Registry } from "../models/mod.ts";
import {
  claimSweepReport,
  isSweepDir,
  RUN_FILES,
  type SweepMember,
  sweepMemberDir,
} from "../rundir/mod.ts";
import { runPool, startMember, threadsPerWorker } from "../sweep/mod.ts";
import { ConfigError } from "./config.ts";
import { logEstimate } from "./estimate.ts";
import { FLAGS, type FlagValues, overridesFromFlags } from "./flags.ts";
import { commandPermissions, permissionFlags } from "./sandbox.ts";
import { planSweep, prepareSweep, replanSweep, type SweepPlan } from "./sweep_plan.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** Usage of `sweep` and `worker`, for the CLI's help. */
export const SWEEP_USAGE: string =
  `  deno task sweep <sweep.yaml | sweep dir> [flags]     train every member here (again: resume)
      --workers N                                      N members side by side, cores divided
      --queue redis://HOST:PORT [--detach]             enqueue for workers instead (wait, or not)
  deno task worker --queue redis://HOST:PORT --runs DIR  train queued members under DIR
      [--threads N] [--lock-seconds 30] [--idle-exit SECONDS]`;

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * Parses `args` with `own` options besides the setting flags; an unknown flag
 * is an error with suggestions.
 */
export function parseCommandFlags<O extends Record<string, { type: "string" | "boolean" }>>(
  args: string[],
  own: O,
): { values: FlagValues & Record<keyof O, string | boolean | undefined>; positionals: string[] } {
  const options = { ...FLAGS, ...own };
  for (const arg of args) {
    const flag = arg.startsWith("--") ? arg.slice(2).split("=")[0] : undefined;
    if (flag && !(flag in options)) {
      const known = new Registry<true>("flag");
      for (const k of Object.keys(options)) known.register(`--${k}`, true);
      known.get(`--${flag}`);
    }
  }
  const r = parseArgs({ args, options, allowPositionals: true, strict: true });
  return r as unknown as ReturnType<typeof parseCommandFlags<O>>;
}

/** A positive integer flag value. */
export function intFlag(flag: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(`--${flag}: expected an integer >= ${min}, got '${v}'`);
  }
  return n;
}

/** The experiment facts a member's process needs permission for: data files and plugin files. */
interface MemberFiles {
  readonly data?: { readonly source?: string };
  readonly plugins?: readonly { readonly path?: string }[];
}

/**
 * The command that trains (or resumes, or confirms finished) the member in
 * `memberDir`: `deno run` with the permissions `train --resume` gets, plus
 * reading the member's data and plugin files.
 */
export function memberArgv(memberDir: string, exp: MemberFiles): string[] {
  let cacheDir: string | undefined;
  try {
    cacheDir = defaultCacheDir();
  } catch {
    cacheDir = undefined;
  }
  const args = ["train", "--resume", memberDir];
  const perms = commandPermissions(args, { root: ROOT, cwd: Deno.cwd(), cacheDir });
  const source = exp.data?.source;
  const files = [
    ...(source && !/^(cifar10|synthetic)$/.test(source) && !/^[a-z][a-z0-9+.-]*:/i.test(source)
      ? [resolve(source)]
      : []),
    ...(exp.plugins ?? []).flatMap((p) => (p.path ? [p.path] : [])),
  ];
  const flags = permissionFlags({ ...perms, read: [...new Set([...perms.read, ...files])] });
  return [
    Deno.execPath(),
    "run",
    `--config=${ROOT}/deno.json`,
    ...flags,
    `${ROOT}/tasks/cli.ts`,
    ...args,
  ];
}

/** Options of {@linkcode runSweepHere}. */
export interface LocalOptions {
  /** Members side by side. @default 1 */
  readonly workers?: number;
  /** Stops: members save checkpoints/last after their current step. */
  readonly signal?: AbortSignal;
  /** Where progress lines go. @default stderr */
  readonly log?: (line: string) => void;
  /** Time each distinct model a few steps and print the total first (tasks/estimate.ts). @default true */
  readonly estimate?: boolean;
}

/**
 * Trains the members of a prepared sweep that have not finished, `workers` at
 * a time, then writes the sweep's report. Returns the members that failed.
 */
export async function runSweepHere(
  plan: SweepPlan,
  options: LocalOptions = {},
): Promise<{ failed: string[]; interrupted: boolean }> {
  const workers = options.workers ?? 1;
  const log = options.log ?? ((l: string) => console.error(l));
  const threads = threadsPerWorker(workers, navigator.hardwareConcurrency || 1);
  const pending: SweepMember[] = [];
  for (const m of plan.index.members) {
    if (!await exists(`${sweepMemberDir(plan.dir, m)}/${RUN_FILES.summary}`)) pending.push(m);
  }
  log(
    `sweep ${plan.dir}: ${pending.length} of ${plan.index.members.length} members to train, ` +
      `${Math.min(workers, pending.length)} at a time, ${threads} thread(s) each`,
  );
  if (options.estimate !== false) {
    const members = plan.index.members.map((m) => ({
      dir: sweepMemberDir(plan.dir, m),
      exp: plan.experiments.get(m.dir)!,
    }));
    await logEstimate(`sweep ${plan.index.name}`, members, log);
  }
  const failed: string[] = [];
  const settled = await runPool(pending, workers, async (m) => {
    const dir = sweepMemberDir(plan.dir, m);
    const child = startMember({
      argv: memberArgv(dir, plan.experiments.get(m.dir)!),
      threads,
      onLine: (line, stream) => stream === "stderr" && log(`[${m.dir}] ${line}`),
    });
    const stop = () => child.stop();
    options.signal?.addEventListener("abort", stop);
    try {
      const code = await child.status;
      if (code !== 0 && !options.signal?.aborted) {
        throw new Error(`member ${m.dir} exited with status ${code}`);
      }
    } finally {
      options.signal?.removeEventListener("abort", stop);
    }
  }, options.signal);
  settled.forEach((r, i) => {
    if (r?.status === "rejected") {
      failed.push(pending[i].dir);
      log(`error: ${(r.reason as Error).message}`);
    }
  });
  if (options.signal?.aborted) return { failed, interrupted: true };
  if (!failed.length) {
    await claimSweepReport(plan.dir, `sweep ${Deno.pid}`);
    console.log((await renderSweepReport(plan.dir)).text);
  }
  return { failed, interrupted: false };
}

/** `deno task sweep …`; returns the exit code. */
export async function sweepCommand(args: string[], signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandFlags(args, {
    workers: { type: "string" },
    queue: { type: "string" },
    detach: { type: "boolean" },
  });
  const target = values.resume ?? positionals[0];
  if (target === undefined || positionals.length > (values.resume ? 0 : 1)) {
    throw new ConfigError("sweep: give one sweep file (or a sweep directory to resume)");
  }
  const workers = intFlag("workers", values.workers) ?? 1;
  if (values.queue !== undefined && values.workers !== undefined) {
    throw new ConfigError(
      "sweep: --workers and --queue exclude each other (workers take queued members)",
    );
  }
  const overrides = overridesFromFlags(values);
  const resuming = await isSweepDir(target);
  if (resuming && Object.keys(overrides).length) {
    throw new ConfigError(
      `sweep ${target}: a sweep directory resumes with the flags it was started with (sweep.json)`,
    );
  }
  const plan = resuming ? await replanSweep(target) : await planSweep(target, overrides);
  if (values.queue !== undefined) {
    // The queue's client (BullMQ) loads only for a queued sweep.
    const { checkRedis, enqueueSweep, parseRedisUrl, waitForSweep } = await import(
      "../sweep/queue.ts"
    );
    const place = parseRedisUrl(values.queue as string);
    await checkRedis(place, values.queue as string).catch((e: Error) => {
      throw new ConfigError(e.message, { cause: e });
    });
    const configs = new Map([...plan.experiments].map(([k, e]) => [k, stringify(e)]));
    const queue = await enqueueSweep(place, plan.index, configs);
    try {
      console.error(
        `sweep ${plan.index.name}: ${plan.index.members.length} members queued on ${values.queue}`,
      );
      if (values.detach) return 0;
      const failed = await waitForSweep(queue, plan.index, configs, {
        signal,
        onChange: (m, state, p) =>
          console.error(
            `[${m}] ${state}${p ? ` epoch ${p.epoch}/${p.epochs}` : ""}` +
              (p?.val_acc !== undefined ? ` val_acc ${p.val_acc.toFixed(4)}` : ""),
          ),
      });
      if (signal?.aborted) return 130;
      for (const f of failed) console.error(`error: member ${f.member} failed: ${f.error}`);
      if (!failed.length) {
        console.error(`sweep ${plan.index.name}: done; the workers wrote its report under --runs`);
      }
      return failed.length ? 1 : 0;
    } finally {
      await queue.close();
    }
  }
  await prepareSweep(plan);
  const r = await runSweepHere(plan, { workers, signal });
  return r.interrupted ? 130 : r.failed.length ? 1 : 0;
}
