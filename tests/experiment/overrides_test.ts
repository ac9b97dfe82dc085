import assert from "node:assert/strict";
import {
  flagOfPath,
  overridesFromSettings,
  settingsRefusedOnResume,
} from "../../experiment/overrides.ts";
import { parseCommandLine } from "../../tasks/args.ts";
import { settingsOf } from "../../tasks/commands/_settings.ts";
import { train } from "../../tasks/commands/train.ts";

const parseFlags = (argv: string[]) => parseCommandLine(train, argv);
const overridesFromFlags = (values: Record<string, unknown>) =>
  overridesFromSettings(settingsOf(values));

Deno.test("overridesFromSettings() turns flags into the experiment's YAML keys", () => {
  const { values } = parseFlags([
    "--epochs=3",
    "--batch-size=32",
    "--lr=0.01",
    "--backend=cpu",
    "--data=synthetic",
    "--limit=256",
    "--seed=4",
    "--out=o",
    "--name=n",
    "--width=0.25",
    "--plugin=./p.ts",
  ]);
  assert.deepEqual(overridesFromFlags(values), {
    epochs: 3,
    batch_size: 32,
    optimizer: { lr: 0.01 },
    backend: "cpu",
    data: { source: "synthetic", limit: 256 },
    seed: 4,
    out: "o",
    name: "n",
    model_options: { width: 0.25 },
    plugins: [{ path: `${Deno.cwd()}/p.ts` }],
  });
  assert.throws(
    () => overridesFromFlags(parseFlags(["--seed=x"]).values),
    /--seed: expected a number, got 'x'/,
  );
});

Deno.test("flagOfPath() names the flag that sets a key path", () => {
  assert.equal(flagOfPath(["batch_size"]), "--batch-size");
  assert.equal(flagOfPath(["data", "limit"]), "--limit");
  assert.equal(flagOfPath(["plugins", 0, "path"]), "--plugin");
  assert.equal(flagOfPath(["schedule"]), "command line");
});

Deno.test("settingsRefusedOnResume() lets only --epochs through, and nothing for a suite", () => {
  const { values } = parseFlags(["--epochs=5", "--batch-size=32", "--seed=1", "--print-config"]);
  assert.deepEqual(settingsRefusedOnResume(settingsOf(values)), ["batch-size", "seed"]);
  assert.deepEqual(settingsRefusedOnResume(settingsOf(values), true), [
    "epochs",
    "batch-size",
    "seed",
  ]);
});
