/**
 * The work of `deno task sweep`, loaded only when it runs (tasks/commands/sweep.ts declares
 * the command; the launcher reads only the declaration): train the members here, N at a
 * time, or queue them.
 * @module
 */
import { stringify } from "yaml";
import { renderSweepReport } from "../../analysis/mod.ts";
import {
  claimSweepReport,
  isSweepDir,
  runPath,
  type SweepMember,
  sweepMemberDir,
} from "../../rundir/mod.ts";
import { runPool, startMember, threadsPerWorker } from "../../sweep/mod.ts";
import { ConfigError } from "../../experiment/config_error.ts";
import { overridesFromSettings } from "../../experiment/overrides.ts";
import { planSweep, prepareSweep, replanSweep, type SweepPlan } from "../../sweep/plan.ts";
import { intFlag } from "../args.ts";
import { settingsOf } from "./_settings.ts";
import { logEstimate } from "../../experiment/estimate.ts";

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** Options of {@linkcode runSweepHere}. */
export interface LocalOptions {
  /**
   * The command line that trains the member in a directory: `train --resume <dir>` under
   * that command's permissions (the launcher's, from {@linkcode RunContext}).
   */
  readonly memberArgv: (memberDir: string) => Promise<string[]>;
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
  options: LocalOptions,
): Promise<{ failed: string[]; interrupted: boolean }> {
  const workers = options.workers ?? 1;
  const log = options.log ?? ((l: string) => console.error(l));
  const threads = threadsPerWorker(workers, navigator.hardwareConcurrency || 1);
  const pending: SweepMember[] = [];
  for (const m of plan.index.members) {
    if (!await exists(runPath(sweepMemberDir(plan.dir, m), "summary"))) pending.push(m);
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
      argv: await options.memberArgv(dir),
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

export async function sweepRun(
  values: Record<string, unknown> & {
    resume?: string;
    workers?: string;
    queue?: string;
    detach?: boolean;
  },
  positionals: readonly string[],
  signal: AbortSignal,
  memberArgv: (memberDir: string) => Promise<string[]>,
): Promise<number> {
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
  const overrides = overridesFromSettings(settingsOf(values));
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
      "../../sweep/queue.ts"
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
  const r = await runSweepHere(plan, { workers, signal, memberArgv });
  return r.interrupted ? 130 : r.failed.length ? 1 : 0;
}
