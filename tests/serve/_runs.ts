/**
 * Test helper: a folder of runs for the dashboard tests, from the fixture runs
 * (miniature trainings written by the real runner, tests/fixtures/make_runs.ts):
 * the three runs, a suite of copies of them (suite.json by the real writer; on request
 * with resnet18's second seed),
 * a sweep of two more copies (sweep.json by the real writer), a second seed
 * of resnet18 (its copy with seed 2 and curves moved off the first's),
 * and a run whose name, class names and config carry HTML, rewritten with the
 * run directory's own writers.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  readConfusion,
  readHistory,
  readSummary,
  readWrongImages,
  RUN_FILES,
  writeConfig,
  writeConfusion,
  writeHistory,
  writeSuite,
  writeSummary,
  writeSweepIndex,
  writeWrongImages,
} from "../../rundir/mod.ts";

/** The fixture runs' folder. */
export const FIXTURES: string = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** The fixture runs, by folder name. */
export const FIXTURE_RUNS: readonly string[] = [
  "run_baseline_cnn",
  "run_resnet18",
  "run_resnet18_noskip",
];
/** Epochs each fixture run trained. */
export const FIXTURE_EPOCHS = 4;
/** Id of resnet18's second seed: the same recipe as `run_resnet18` but for `seed: 2`. */
export const SECOND_SEED_ID = "run_resnet18_seed2";
/** The hostile run's name. */
export const HOSTILE = "<script>alert(1)</script>";
/** The hostile run's first class name. */
export const HOSTILE_CLASS = "<img src=x onerror=alert(2)>";
/** Id of the hostile run. */
export const HOSTILE_ID = "hostile";
/** Id of the suite. */
export const SUITE_ID = "paper-suite";
/** Id of the sweep. */
export const SWEEP_ID = "lr-sweep";
/** The sweep's members: a fixture run each, as one setting of `optimizer.lr` with seed 0. */
export const SWEEP_MEMBERS: readonly { run: string; setting: string; lr: number }[] = [
  { run: "run_baseline_cnn", setting: "lr-0.1", lr: 0.1 },
  { run: "run_resnet18", setting: "lr-0.001", lr: 0.001 },
];

/** Copies folder `from` to `to`, recursively. */
export async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(join(from, e.name), join(to, e.name));
    else await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

/**
 * Makes the runs folder in a new temporary directory; returns its path. With
 * `suiteSecondSeed`, the suite also holds resnet18's second seed (one setting, two runs).
 */
export async function makeRunsFolder({ suiteSecondSeed = false } = {}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "skiplab-dash-" });
  for (const r of FIXTURE_RUNS) {
    await copyDir(join(FIXTURES, r), join(root, r));
    await copyDir(join(FIXTURES, r), join(root, SUITE_ID, r.replace(/^run_/, "")));
  }
  const twin = { dir: "resnet18-seed2", file: "resnet18.yaml", setting: "resnet18", seed: 2 };
  if (suiteSecondSeed) {
    await secondSeed(join(FIXTURES, "run_resnet18"), join(root, SUITE_ID, twin.dir));
  }
  await writeSuite(join(root, SUITE_ID), {
    name: "paper",
    members: [
      ...FIXTURE_RUNS.map((r) => {
        const dir = r.replace(/^run_/, "");
        return { dir, file: `${dir}.yaml`, setting: dir, seed: 0, overrides: {} };
      }),
      ...(suiteSecondSeed ? [{ ...twin, overrides: {} }] : []),
    ],
    overrides: {},
  });
  for (const m of SWEEP_MEMBERS) {
    await copyDir(join(FIXTURES, m.run), join(root, SWEEP_ID, m.setting));
  }
  await writeSweepIndex(join(root, SWEEP_ID), {
    name: SWEEP_ID,
    file: "lr-sweep.yaml",
    axes: ["optimizer.lr"],
    overrides: {},
    members: SWEEP_MEMBERS.map((m) => ({
      dir: m.setting,
      setting: m.setting,
      seed: 0,
      values: { "optimizer.lr": m.lr },
    })),
  });
  await secondSeed(join(FIXTURES, "run_resnet18"), join(root, SECOND_SEED_ID));
  const hostile = join(root, HOSTILE_ID);
  await copyDir(join(FIXTURES, "run_resnet18"), hostile);
  const s = await readSummary(join(hostile, RUN_FILES.summary));
  const classNames = s.class_names.map((c, i) => (i === 0 ? HOSTILE_CLASS : c));
  await writeSummary(hostile, { ...s, name: HOSTILE, class_names: classNames });
  const confusion = await readConfusion(join(hostile, RUN_FILES.confusion));
  await writeConfusion(hostile, { ...confusion, classNames });
  const wrong = await readWrongImages(join(hostile, RUN_FILES.wrongImages));
  await writeWrongImages(hostile, { ...wrong, class_names: classNames });
  await writeConfig(hostile, `name: "${HOSTILE}"\nnote: "<b onmouseover=alert(3)>x</b>"\n`);
  return root;
}

/**
 * Writes in `to` a copy of run `from` as trained with seed 2: its seed changed in summary.json
 * and config.yaml, its accuracies 3 points higher and losses 5% lower, so the two seeds' band
 * has a width.
 */
async function secondSeed(from: string, to: string): Promise<void> {
  await copyDir(from, to);
  const s = await readSummary(join(to, RUN_FILES.summary));
  await writeSummary(to, { ...s, seed: 2, recipe: { ...s.recipe, seed: 2 } });
  const config = await Deno.readTextFile(join(to, RUN_FILES.config));
  if (!/^seed: 1$/m.test(config)) throw new Error(`${from}: its config.yaml has no 'seed: 1'`);
  await writeConfig(to, config.replace(/^seed: 1$/m, "seed: 2"));
  const history = await readHistory(join(to, RUN_FILES.history));
  await writeHistory(
    to,
    history.map((r) => ({
      ...r,
      acc: r.acc + 0.03,
      val_acc: r.val_acc + 0.03,
      loss: r.loss * 0.95,
      val_loss: r.val_loss * 0.95,
    })),
  );
}
