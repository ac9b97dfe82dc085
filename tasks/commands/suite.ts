/**
 * `deno task suite <suite.yaml>`: every member of a suite (the paper's Table
 * I), once per seed; `--resume DIR` continues it at the member and epoch it
 * stopped.
 * @module
 */
import { join, resolve } from "node:path";
import { ConfigError } from "../../experiment/config_error.ts";
import { overridesFromSettings, settingsRefusedOnResume } from "../../experiment/overrides.ts";
import { defineCommand } from "../command.ts";
import { dataGrants, grant, runFiles } from "../permissions.ts";
import { experimentGrants, SETTING_FLAGS, settingsGrants, settingsOf } from "./_settings.ts";

/** `deno task suite`. */
export const suite = defineCommand({
  name: "suite",
  stops: true,
  summary:
    "Train every member of a suite, then Table I, the paper's figures and confidence intervals",
  usage: ["<suite.yaml> [flags]", "--resume runs/<suite-id>"],
  details:
    "Every member is checked before any trains. A bare name (paper.yaml, degradation.yaml) " +
    "is a built-in suite.",
  flags: {
    ...SETTING_FLAGS,
    resume: { type: "string", value: "DIR", help: "continue the suite in DIR where it stopped" },
    seeds: { type: "string", value: "LIST", help: "every member once per seed, e.g. 0,1,2" },
  },
  async permissions({ values, positionals }, where) {
    let p = settingsGrants(settingsOf(values), where);
    const target = positionals[0];
    if (target !== undefined) {
      p = grant(p, await experimentGrants(target, where, values.out !== undefined));
    }
    if (values.resume !== undefined) {
      // The suite directory, and what each member's config.yaml records.
      const dir = resolve(where.cwd, values.resume);
      p = grant(p, { read: [dir], write: [dir] });
      const members = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
      for (const m of members.filter((m) => m.isDirectory)) {
        const recorded = await runFiles(join(dir, m.name), where.cwd);
        const d = dataGrants(recorded.data, where);
        p = grant(p, { read: [...recorded.plugins, ...d.read], net: d.net });
      }
    }
    return p;
  },
  async run({ values, positionals }, { signal, stoppedCode }) {
    const { experimentFile, parseSeeds, runSuite } = await import("../../experiment/mod.ts");
    const target = values.resume ?? positionals[0];
    if (target === undefined || positionals.length > (values.resume ? 0 : 1)) {
      throw new ConfigError(
        "suite: give one suite file (experiment/builtin/paper.yaml) or --resume <suite dir>",
      );
    }
    const settings = settingsOf(values);
    const refused = values.resume === undefined ? [] : settingsRefusedOnResume(settings, true);
    if (refused.length) {
      throw new ConfigError(
        `suite --resume: ${refused.map((f) => `--${f}`).join(", ")} cannot be given: a suite ` +
          "resumes with the flags it was started with (its suite.json)",
      );
    }
    // A bare suite name not in the working folder may be a built-in one (paper.yaml).
    const file = values.resume !== undefined ? target : await experimentFile(target);
    const r = await runSuite(file, overridesFromSettings(settings), {
      signal,
      seeds: values.seeds === undefined ? undefined : parseSeeds(values.seeds),
    });
    return r.interrupted ? stoppedCode() : 0;
  },
});
