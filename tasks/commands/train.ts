/**
 * `deno task train <model | experiment.yaml>`: one run of a registered model
 * (with the paper's recipe) or of an experiment file; `--resume DIR`
 * continues an interrupted run exactly; `--seeds` makes it a suite of one
 * setting.
 * @module
 */
import { stringify } from "yaml";
import { ConfigError } from "../../experiment/config_error.ts";
import { overridesFromSettings } from "../../experiment/overrides.ts";
import { defineCommand } from "../command.ts";
import { grant } from "../permissions.ts";
import {
  experimentGrants,
  runDirGrants,
  SETTING_FLAGS,
  settingsGrants,
  settingsOf,
} from "./_settings.ts";

/** `deno task train`. */
export const train = defineCommand({
  name: "train",
  stops: true,
  summary:
    "Train one model with the paper's recipe (or an experiment file), or continue an interrupted run exactly",
  usage: [
    "<model | experiment.yaml> [flags]",
    "--resume runs/<id> [--epochs N]",
  ],
  details: "A model name trains with experiment/builtin/paper-recipe.yaml; flags override any " +
    "file.\n--resume continues an interrupted run exactly (a larger --epochs extends it); " +
    "--seeds 0,1,2 runs\nthe experiment once per seed, as a suite whose Table I gives mean ± SD.",
  flags: {
    ...SETTING_FLAGS,
    resume: { type: "string", value: "DIR", help: "continue the run in DIR exactly" },
    seeds: { type: "string", value: "LIST", help: "one run per seed, e.g. 0,1,2 (a suite)" },
    "print-config": { type: "boolean", help: "print the resolved experiment and exit" },
  },
  async permissions({ values, positionals }, where) {
    let p = settingsGrants(settingsOf(values), where);
    if (values.resume !== undefined) {
      p = grant(
        p,
        await runDirGrants(values.resume, where, {
          write: true,
          data: values.data === undefined,
          // The user's own run (or a member the worker checked): its plugins train on.
          plugins: true,
        }),
      );
    }
    const target = positionals[0];
    if (target !== undefined && /\.ya?ml$/i.test(target)) {
      p = grant(p, await experimentGrants(target, where, values.out !== undefined));
    }
    return p;
  },
  async run({ values, positionals }, { signal, stoppedCode }) {
    const {
      completeReport,
      experimentFor,
      experimentToResume,
      parseSeeds,
      runExperiment,
      startSuite,
      targetSource,
    } = await import("../../experiment/mod.ts");
    const settings = settingsOf(values);
    if (values.resume !== undefined && positionals.length) {
      throw new ConfigError(
        `train --resume: the run directory says what to train; drop '${positionals[0]}'`,
      );
    }
    if (values.resume === undefined && positionals.length !== 1) {
      throw new ConfigError(
        "train: give one model name or experiment file (deno task models lists the names)",
      );
    }
    const overrides = overridesFromSettings(settings);
    // Locked before the run's files are read: a live run's checkpoint swap is not "recovered".
    const { holdRunDir, inheritedRunLock } = await import("../../rundir/mod.ts");
    const isDir = (p: string) => Deno.stat(p).then((s) => s.isDirectory, () => false);
    const lock = values.resume !== undefined && await isDir(values.resume)
      ? await holdRunDir(values.resume, "train --resume", { inherit: inheritedRunLock() })
      : undefined;
    try {
      const resuming = values.resume !== undefined
        ? await experimentToResume(values.resume, settings)
        : undefined;
      const exp = resuming?.experiment ?? await experimentFor(positionals[0], overrides);
      if (values["print-config"]) {
        console.log(stringify(exp));
        return 0;
      }
      if (values.seeds !== undefined) {
        if (resuming) {
          throw new ConfigError(
            `train --resume: --seeds cannot be given; a run of several seeds is a suite: ` +
              `deno task suite --resume <its directory>`,
          );
        }
        // One experiment, once per seed: a suite of one setting, through the suite's code.
        const r = await startSuite(
          {
            name: exp.name,
            out: exp.out,
            sources: [await targetSource(positionals[0], overrides)],
            axes: { seeds: parseSeeds(values.seeds) },
          },
          overrides,
          { signal },
        );
        return r.interrupted ? stoppedCode() : 0;
      }
      if (resuming?.finished) {
        if (resuming.unreported && await completeReport(values.resume!)) {
          console.error(`${values.resume}: the run had finished; its report is written now`);
        } else console.error(resuming.finished);
        return 0;
      }
      if (resuming && !resuming.fromCheckpoint) {
        console.error(`${values.resume} has no checkpoint yet: training it from the start`);
      }
      const { result } = await runExperiment(exp, {
        // Without a checkpoint the run starts again in its own directory.
        ...(resuming?.fromCheckpoint ? { resumeDir: values.resume } : { dir: values.resume }),
        signal,
      });
      return result.interrupted ? stoppedCode() : 0;
    } finally {
      await lock?.release();
    }
  },
});
